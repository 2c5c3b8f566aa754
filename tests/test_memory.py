"""kg.memory: the garbage collector paused for a block, and as it was after it."""
import gc

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
