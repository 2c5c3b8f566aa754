"""kg.files: an output is replaced whole or not at all, and a failure to write it is one OutputError naming it."""
import errno
import os
import stat
import subprocess
import sys
import threading

import pytest

from kg.errors import OutputError
from kg.files import atomic_open, write_text_atomic


def _leftovers(folder):
    """Temporary files atomic_open left in ``folder``."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def umask():
    """Set the process umask for one test; the old one comes back after it."""
    old = os.umask(0o022)
    os.umask(old)
    yield lambda mask: os.umask(mask)
    os.umask(old)


def test_files_new_content_replaces_the_old_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old\n")
    with atomic_open(target) as f:
        f.write("new\n")
    assert target.read_text() == "new\n"
    assert _leftovers(tmp_path) == []


def test_files_readers_see_the_old_file_until_the_block_ends(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old\n")
    with atomic_open(target) as f:
        f.write("new\n")
        f.flush()
        assert target.read_text() == "old\n"
        temporary = _leftovers(tmp_path)
        assert len(temporary) == 1 and temporary[0].startswith(".out.txt.")  # beside the target: same file system
    assert target.read_text() == "new\n"


@pytest.mark.parametrize("error", [ValueError("the caller's bug"), KeyboardInterrupt()])
def test_files_an_exception_in_the_block_keeps_the_old_file_and_passes_through(tmp_path, error):
    target = tmp_path / "out.txt"
    target.write_text("old\n")
    with pytest.raises(type(error)) as caught:
        with atomic_open(target) as f:
            f.write("half of the new")
            raise error
    assert caught.value is error and not isinstance(caught.value, OutputError)
    assert target.read_text() == "old\n"
    assert _leftovers(tmp_path) == []


def test_files_an_exception_in_the_block_creates_no_file(tmp_path):
    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError):
        with atomic_open(target) as f:
            f.write("x")
            raise RuntimeError("stop")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("mask,mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664), (0o000, 0o666)])
def test_files_new_file_gets_the_usual_mode_under_the_umask(tmp_path, umask, mask, mode):
    umask(mask)
    target = tmp_path / "out.txt"
    with atomic_open(target) as f:
        f.write("x")
    assert stat.S_IMODE(target.stat().st_mode) == mode


def test_files_missing_folders_are_made(tmp_path):
    target = tmp_path / "a" / "b" / "out.txt"
    with atomic_open(target) as f:
        f.write("x")
    assert target.read_text() == "x"


@pytest.mark.parametrize("mode,text,encoding,expected", [
    ("w", "a\nb\r\nc", "utf-8", b"a\nb\r\nc"),  # line ends written as given, on any platform
    ("w", "caf\u00e9", "utf-8", b"caf\xc3\xa9"),
    ("w", "caf\u00e9", "latin-1", b"caf\xe9"),
    ("wb", b"\x00\xff\r\n", None, b"\x00\xff\r\n"),
])
def test_files_writes_exactly_the_bytes_of_mode_and_encoding(tmp_path, mode, text, encoding, expected):
    target = tmp_path / "out"
    with atomic_open(target, mode, encoding=encoding) as f:
        f.write(text)
    assert target.read_bytes() == expected


def test_files_write_text_atomic_replaces_the_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    write_text_atomic(target, "  new \u2713\n")
    assert target.read_bytes() == "  new \u2713\n".encode("utf-8")
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("blocker", ["parent", "grandparent"])
def test_files_a_file_where_the_folder_should_be_is_one_output_error(tmp_path, blocker):
    in_the_way = tmp_path / "in-the-way"
    in_the_way.write_text("a file, not a folder")
    target = in_the_way / "out.txt" if blocker == "parent" else in_the_way / "sub" / "out.txt"
    with pytest.raises(OutputError) as caught:
        with atomic_open(target) as f:
            f.write("never")
    assert isinstance(caught.value, OSError)  # callers that catch OSError still catch it
    assert str(caught.value) == f"cannot write {target}: {target.parent}: {os.strerror(errno.ENOTDIR)}"
    assert in_the_way.read_text() == "a file, not a folder"


def test_files_a_temporary_file_that_cannot_be_made_is_one_output_error(tmp_path):
    target = tmp_path / ("n" * 300)  # over NAME_MAX: the temporary file beside it cannot be made either
    with pytest.raises(OutputError, match=rf"^cannot write {target}: File name too long$"):
        with atomic_open(target) as f:
            f.write("never")
    assert list(tmp_path.iterdir()) == []


def test_files_a_replace_that_fails_is_one_output_error_and_cleans_up(tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "inside").write_text("kept")
    with pytest.raises(OutputError) as caught:
        with atomic_open(target) as f:
            f.write("new")
    assert str(caught.value) == f"cannot write {target}: {os.strerror(errno.EISDIR)}"
    assert (target / "inside").read_text() == "kept"
    assert _leftovers(tmp_path) == []


def test_files_a_device_is_written_in_place_never_replaced():
    with atomic_open("/dev/null") as f:
        f.write("gone\n")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert [p for p in os.listdir("/dev") if p.startswith(".null.")] == []


def test_files_a_pipe_is_written_in_place(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    with atomic_open(fifo) as f:
        f.write("through the pipe\n")
    reader.join(timeout=10)
    assert received == ["through the pipe\n"]
    assert stat.S_ISFIFO(fifo.stat().st_mode) and _leftovers(tmp_path) == []


@pytest.mark.parametrize("size", [10, 1_000_000])  # held in the buffer to the end, or written while the block runs
@pytest.mark.parametrize("lines", [False, True])
def test_files_a_full_device_is_one_output_error(size, lines):
    with pytest.raises(OutputError) as caught:
        with atomic_open("/dev/full") as f:
            if lines:
                f.writelines(["x" * (size // 10)] * 10)
            else:
                f.write("x" * size)
    assert str(caught.value) == f"cannot write /dev/full: {os.strerror(errno.ENOSPC)}"
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


_WRITE_PAST_THE_SIZE_LIMIT = """
import resource, signal, sys
from kg.files import atomic_open
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead of killing the process
resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
try:
    with atomic_open(sys.argv[1]) as f:
        f.write("x" * 1_000_000)
except Exception as err:
    print(type(err).__name__, err)
"""


def test_files_a_full_disk_while_the_block_writes_is_one_output_error(tmp_path):
    """A file system that takes no more bytes (a file size limit stands in for a full disk)."""
    target = tmp_path / "big.txt"
    done = subprocess.run([sys.executable, "-c", _WRITE_PAST_THE_SIZE_LIMIT, str(target)],
                          capture_output=True, text=True, timeout=60)
    assert done.stdout == f"OutputError cannot write {target}: {os.strerror(errno.EFBIG)}\n", done.stderr
    assert not target.exists() and _leftovers(tmp_path) == []
