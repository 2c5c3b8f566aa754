"""scripts/train_scorers.py: where it finds the recognisers that read the train split fold by fold."""
from __future__ import annotations

import pytest
from train_scorers import fold_recognisers


def test_train_scorers_fold_recognisers_are_the_numbered_subfolders_in_order(tmp_path):
    for name in ("1", "0", "2", "notes"):
        (tmp_path / name).mkdir()
    (tmp_path / "3").write_text("a file, not a recogniser", encoding="utf-8")
    assert fold_recognisers(tmp_path) == [str(tmp_path / k) for k in ("0", "1", "2")]


@pytest.mark.parametrize("subfolders", [[], ["1", "2"], ["0", "2"]])
def test_train_scorers_fold_recognisers_refuse_a_missing_fold(tmp_path, subfolders):
    for name in subfolders:
        (tmp_path / name).mkdir()
    with pytest.raises(SystemExit, match="subfolders 0, 1"):
        fold_recognisers(tmp_path)
