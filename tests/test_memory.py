"""kg.memory: the garbage collector paused for a block, and as it was after it; no last collection at exit."""
import gc
import subprocess
import sys

import pytest

from kg.memory import collection_paused


@pytest.mark.parametrize("enabled", [True, False])
def test_memory_collection_paused_in_the_block_and_restored_after(enabled):
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        with pytest.raises(KeyError):
            with collection_paused():
                assert not gc.isenabled()
                raise KeyError("an error in the block")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


@pytest.mark.parametrize("skip", [False, True])
def test_memory_no_collection_at_exit_leaves_cycles_to_the_operating_system(skip):
    # An object in a reference cycle says when the interpreter's last collection frees it.
    script = ("import os, sys\n"
              "from kg.memory import no_collection_at_exit\n"
              "class Cycle:\n"
              "    def __del__(self):\n"
              "        os.write(1, b'collected')\n"
              "def make():\n"
              "    cycle = Cycle()\n"
              "    cycle.me = cycle\n"
              "make()\n"
              "if sys.argv[1] == 'skip':\n"
              "    no_collection_at_exit()\n")
    done = subprocess.run([sys.executable, "-c", script, "skip" if skip else "collect"], capture_output=True,
                          text=True, check=True)
    assert done.stdout == ("" if skip else "collected")


def test_memory_what_a_paused_block_made_is_counted_old_and_others_frozen_objects_stay_frozen():
    was = gc.isenabled()
    gc.enable()
    try:
        with collection_paused():
            made = [[number] for number in range(1000)]
        old = {id(o) for o in gc.get_objects(generation=2)}
        assert all(id(o) in old for o in made)  # no young collection walks them as the block ends

        theirs = [[number] for number in range(10)]
        gc.freeze()
        try:
            frozen = gc.get_freeze_count()
            with collection_paused():
                more = [[number] for number in range(1000)]
            assert gc.get_freeze_count() == frozen and more
        finally:
            gc.unfreeze()
        assert theirs
    finally:
        (gc.enable if was else gc.disable)()
