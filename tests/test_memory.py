"""kg.memory: the garbage collector paused for a block, and as it was after it; no last collection at exit."""
import gc
import subprocess
import sys

import pytest

from kg import memory
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


@pytest.mark.parametrize("command", [False, True])
def test_memory_a_command_process_leaves_its_cycles_to_the_operating_system(command):
    # An object in a reference cycle says when the interpreter's last collection frees it.
    script = ("import os, sys\n"
              "from kg.memory import command_process\n"
              "class Cycle:\n"
              "    def __del__(self):\n"
              "        os.write(1, b'collected')\n"
              "def make():\n"
              "    cycle = Cycle()\n"
              "    cycle.me = cycle\n"
              "make()\n"
              "if sys.argv[1] == 'command':\n"
              "    command_process()\n")
    done = subprocess.run([sys.executable, "-c", script, "command" if command else "library"], capture_output=True,
                          text=True, check=True)
    assert done.stdout == ("" if command else "collected")


@pytest.mark.parametrize("command", [False, True])
def test_memory_a_paused_block_leaves_its_objects_old_in_a_command_only(monkeypatch, command):
    monkeypatch.setattr(memory, "_command", command)
    was = gc.isenabled()
    gc.enable()
    gc.collect()  # so that the block's end sets off at most a young collection, which keeps them young
    try:
        with collection_paused():
            made = [[number] for number in range(1000)]
        old = {id(o) for o in gc.get_objects(generation=2)}
        # a command's young collections need not walk them; elsewhere a young one frees them once dropped
        assert all(id(o) in old for o in made) is command
    finally:
        (gc.enable if was else gc.disable)()


def test_memory_a_paused_block_leaves_others_frozen_objects_frozen(monkeypatch):
    monkeypatch.setattr(memory, "_command", True)
    was = gc.isenabled()
    gc.enable()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collection_paused():
            made = [[number] for number in range(1000)]
        assert gc.get_freeze_count() == frozen
        del made
    finally:
        gc.unfreeze()
        (gc.enable if was else gc.disable)()
