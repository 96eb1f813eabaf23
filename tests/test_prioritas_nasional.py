"""The optional `Prioritas Nasional` column of Referensi RO (workbook.md): read from the
inputs of `sopxl init`, written with its drop-down, and used by CAP-PROGRES-ANGGARAN."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from sopxl.core import spec
from sopxl.core.errors import InvalidInput
from sopxl.frontends.cli import cli
from sopxl.read.inputs import read_referensi

REPO = Path(__file__).resolve().parents[1]
HEADER = "Kode RO;Uraian RO;Satuan;Jenis RO;Target Volume;Pagu (Rp);prioritas  NASIONAL"
RO_A = "013.07.WA.4293.EBA.962"
RO_B = "013.07.DL.4290.SCM.001"
RO_C = "013.07.DL.4290.SCM.002"


def _ro_file(tmp_path: Path, values: tuple[str, str, str]) -> Path:
    path = tmp_path / "ro.csv"
    path.write_text(
        f"{HEADER}\n"
        f"{RO_A};Layanan Umum;Layanan;Statis;1;742.600.000;{values[0]}\n"
        f"{RO_B};Pelatihan Teknis;Orang;Dinamis;240;1248000000;{values[1]}\n"
        f"{RO_C};Pelatihan Keimigrasian;Orang;Dinamis;160;856000000;{values[2]}\n",
        encoding="utf-8",
    )
    return path


def test_inputs_read_the_column_empty_means_tidak(tmp_path: Path) -> None:
    ros = read_referensi(_ro_file(tmp_path, (" ya ", "", "TIDAK")))
    assert [r.prioritas for r in ros] == ["Ya", "Tidak", "Tidak"]


def test_inputs_without_the_column_leave_it_unset(tmp_path: Path) -> None:
    ros = read_referensi(REPO / "samples" / "referensi_ro.csv")
    assert ros and all(r.prioritas is None for r in ros)


def test_inputs_refuse_another_value_naming_the_row(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as info:
        read_referensi(_ro_file(tmp_path, ("Ya", "mungkin", "")))
    assert "baris 3" in info.value.message and "Prioritas Nasional 'mungkin' tidak sah" in info.value.message


def _init(tmp_path: Path, ro: Path) -> Path:
    out = tmp_path / "capaian.xlsx"
    done = CliRunner().invoke(
        cli,
        ["init", str(out), "--ro", str(ro), "--rencana", str(REPO / "samples" / "rencana.csv"),
         "--satker", "411724", "--nama", "Balai Contoh", "--tahun", "2026"],
    )
    assert done.exit_code == 0, done.output
    return out


def _sample_with_priority(tmp_path: Path) -> Path:
    """The sample's Referensi RO with the column added: Ya for its first RO, empty after."""
    ros = tmp_path / "ro.csv"
    sample = (REPO / "samples" / "referensi_ro.csv").read_text(encoding="utf-8").splitlines()
    lines = [sample[0] + ";" + spec.COL_PRIORITAS_NASIONAL]
    lines += [row + ";" + ("Ya" if i == 0 else "") for i, row in enumerate(r for r in sample[1:] if r.strip())]
    ros.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ros


def test_init_writes_the_column_with_its_drop_down(tmp_path: Path) -> None:
    out = _init(tmp_path, _sample_with_priority(tmp_path))
    grid = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(spec.SHEET_REFERENSI).to_python()
    header = [str(v) for v in grid[0]]
    assert header[: len(spec.REFERENSI_COLUMNS) + 1] == [*spec.REFERENSI_COLUMNS, spec.COL_PRIORITAS_NASIONAL]
    col = header.index(spec.COL_PRIORITAS_NASIONAL)
    assert grid[1][col] == "Ya" and grid[2][col] == "Tidak"
    with zipfile.ZipFile(out) as zf:
        names = {n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")}
        xml = next(zf.read(n).decode() for n in sorted(names) if "Prioritas Nasional" in zf.read(n).decode()
                   or '"Ya,Tidak"' in zf.read(n).decode())
    assert '"Ya,Tidak"' in xml, "the column carries a Ya/Tidak drop-down"


def test_the_rules_read_what_init_wrote(tmp_path: Path) -> None:
    from sopxl.read.workbook import read_workbook

    out = _init(tmp_path, _sample_with_priority(tmp_path))
    table = read_workbook(out).referensi
    assert table is not None and spec.COL_PRIORITAS_NASIONAL in table.columns
    values = table.column(spec.COL_PRIORITAS_NASIONAL)
    assert values[0] == "Ya" and set(values[1:]) == {"Tidak"}
