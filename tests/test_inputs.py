"""Reading Referensi RO and Rencana input files (sopxl/inputs.py): formats and refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter

from sopxl.core import spec
from sopxl.core.errors import InvalidInput
from sopxl.core.parse import number_value
from sopxl.read.inputs import read_referensi, read_rencana

REF_HEADER = "Kode RO;Uraian RO;Satuan;Jenis RO;Target Volume;Pagu (Rp)"
RO_A = "013.07.WA.4293.EBA.962"
RO_B = "013.07.DL.4290.SCM.001"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.500.000", 1_500_000),
        ("1500000", 1_500_000),
        ("Rp 5.000.000", 5_000_000),
        ("Rp. 5.000.000,50", 5_000_000.5),
        ("1.234,5", 1234.5),
        ("45,5", 45.5),
        ("12.5", 12.5),
        ("1,500,000", 1_500_000),
        ("1.500", 1500),
        ("-2", -2),
        (7, 7),
        (2.25, 2.25),
        ("10 paket", None),
        ("", None),
        ("abc", None),
        (None, None),
        (True, None),
    ],
)
def test_parse_number(raw: object, expected: float | None) -> None:
    assert number_value(raw) == expected


def test_referensi_csv_semicolon_bom_indonesian_numbers(tmp_path: Path) -> None:
    path = write(
        tmp_path / "ro.csv",
        "\ufeff KODE  ro ;uraian ro;Satuan;Jenis RO;Target Volume;Pagu (Rp);Catatan\n"
        f"{RO_A};Layanan Umum;Layanan;statis;1;742.600.000;bebas\n"
        "\n"
        f"{RO_B};Pelatihan Teknis;Orang;Dinamis;240;1248000000;\n",
    )
    ros = read_referensi(path)
    assert [r.kode for r in ros] == [RO_A, RO_B]
    assert ros[0].jenis == spec.JENIS_STATIS  # normalised spelling
    assert ros[0].pagu == 742_600_000 and isinstance(ros[0].pagu, int)
    assert ros[1].target == 240 and ros[1].jenis == spec.JENIS_DINAMIS


def test_referensi_csv_comma_delimited(tmp_path: Path) -> None:
    path = write(
        tmp_path / "ro.csv",
        "Kode RO,Uraian RO,Satuan,Jenis RO,Target Volume,Pagu (Rp)\n"
        f'{RO_A},"Layanan Umum, Perkantoran",Layanan,Statis,1,"742.600.000"\n',
    )
    (ro,) = read_referensi(path)
    assert ro.uraian == "Layanan Umum, Perkantoran"
    assert ro.pagu == 742_600_000


def test_rencana_month_names_and_numbers(tmp_path: Path) -> None:
    ros = read_referensi(write(tmp_path / "ro.csv", f"{REF_HEADER}\n{RO_A};Layanan;Layanan;Statis;1;100\n"))
    path = write(
        tmp_path / "plan.csv",
        "Kode RO;Bulan;Target Progres (%);Rencana Penarikan Dana (Rp)\n"
        f"{RO_A};januari;8,33;10.000.000\n"
        f"{RO_A};2;16,67;10000000\n"
        f"{RO_A}; Maret ;25;0\n",
    )
    plan = read_rencana(path, ros)
    assert [(p.bulan, p.target_progres, p.rpd) for p in plan] == [
        (1, 8.33, 10_000_000),
        (2, 16.67, 10_000_000),
        (3, 25, 0),
    ]


def test_referensi_xlsx_with_title_block(tmp_path: Path) -> None:
    path = tmp_path / "ro.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("DIPA")
    ws.write(0, 0, "REFERENSI RO TA 2026")
    ws.write_row(2, 0, list(spec.REFERENSI_COLUMNS))
    ws.write_row(3, 0, [RO_A, "Layanan Umum", "Layanan", "Statis", 1, 742_600_000])
    ws.write_row(4, 0, [RO_B, "Pelatihan", "Orang", "Dinamis", "240", "1.248.000.000"])
    wb.close()
    ros = read_referensi(path)
    assert [(r.kode, r.target, r.pagu) for r in ros] == [(RO_A, 1, 742_600_000), (RO_B, 240, 1_248_000_000)]


def refused(func: object, *args: object) -> str:
    with pytest.raises(InvalidInput) as info:
        func(*args)  # type: ignore[operator]
    return info.value.message


def test_missing_header_names_expected_and_found(tmp_path: Path) -> None:
    path = write(tmp_path / "ro.csv", "Kode;Uraian RO;Satuan;Jenis RO;Target;Pagu (Rp)\nx;y;z;Statis;1;1\n")
    message = refused(read_referensi, path)
    assert "ro.csv" in message
    assert "'Kode RO'" in message and "'Target Volume'" in message
    assert "Kolom yang ditemukan" in message and "'Kode'" in message


def test_every_problem_is_listed_with_its_row(tmp_path: Path) -> None:
    path = write(
        tmp_path / "ro.csv",
        f"{REF_HEADER}\n"
        f"{RO_A};Layanan Umum;Layanan;Statis;1;100\n"  # row 2: fine
        f"{RO_A};Layanan Umum;Layanan;Statis;1;100\n"  # row 3: duplicate
        "013.07.WA.4293.EBA.96;Layanan;Layanan;Statis;1;100\n"  # row 4: bad pattern
        f"{RO_B};Pelatihan;Orang;Tetap;10;100\n"  # row 5: bad jenis
        "013.07.DL.4290.SCM.002;Pelatihan;Orang;Statis;sepuluh;100\n"  # row 6: target text
        "013.07.DL.4290.SCM.003;Pelatihan;Orang;Statis;0;100\n"  # row 7: target 0
        "013.07.DL.4290.SCM.004;Pelatihan;Orang;Statis;5;Rp lima juta\n"  # row 8: pagu text
        "013.07.DL.4290.SCM.005;Pelatihan;Orang;Statis;5;-100\n"  # row 9: pagu negative
        "013.07.DL.4290.SCM.006;Pelatihan;;Statis;5;100\n",  # row 10: satuan empty
    )
    message = refused(read_referensi, path)
    assert "(8 masalah)" in message
    assert "baris 3: Kode RO '013.07.WA.4293.EBA.962' ganda (sudah ada di baris 2)" in message
    assert "baris 4: Kode RO '013.07.WA.4293.EBA.96' tidak sesuai pola" in message
    assert "baris 5: Jenis RO 'Tetap' tidak sah" in message
    assert "baris 6: Target Volume 'sepuluh' bukan angka" in message
    assert "baris 7: Target Volume harus lebih dari 0" in message
    assert "baris 8: Pagu (Rp) 'Rp lima juta' bukan angka" in message
    assert "baris 9: Pagu (Rp) tidak boleh negatif" in message
    assert "baris 10: Satuan kosong" in message
    assert "baris 2" not in message.replace("di baris 2", "")


def test_rencana_problems(tmp_path: Path) -> None:
    ros = read_referensi(write(tmp_path / "ro.csv", f"{REF_HEADER}\n{RO_A};Layanan;Layanan;Statis;1;100\n"))
    path = write(
        tmp_path / "plan.csv",
        "Kode RO;Bulan;Target Progres (%);Rencana Penarikan Dana (Rp)\n"
        f"{RO_A};Januari;10;5\n"  # row 2 fine
        f"{RO_B};Januari;10;5\n"  # row 3 unknown RO
        f"{RO_A};Smarch;10;5\n"  # row 4 bad month
        f"{RO_A};13;10;5\n"  # row 5 bad month number
        f"{RO_A};1;10;5\n"  # row 6 duplicate month
        f"{RO_A};Februari;120;5\n"  # row 7 percent > 100
        f"{RO_A};Maret;0,45x;5\n"  # row 8 percent not a number
        f"{RO_A};April;5;5\n"  # row 9 decreasing (10 -> 5)
        f"{RO_A};Mei;50;-5\n",  # row 10 negative RPD
    )
    message = refused(read_rencana, path, ros)
    assert "plan.csv" in message
    assert f"baris 3: Kode RO '{RO_B}' tidak ada di Referensi RO" in message
    assert "baris 4: Bulan 'Smarch' tidak sah" in message
    assert "baris 5: Bulan '13' tidak sah" in message
    assert "baris 6: rencana RO" in message and "ganda (sudah ada di baris 2)" in message
    assert "baris 7: Target Progres (%) harus 0-100" in message
    assert "baris 8: Target Progres (%) '0,45x' bukan angka" in message
    assert "baris 9: Target Progres RO" in message and "turun" in message
    assert "baris 10: Rencana Penarikan Dana (Rp) tidak boleh negatif" in message


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    assert "tidak ditemukan" in refused(read_referensi, tmp_path / "tidak-ada.csv")
    assert ".csv atau .xlsx" in refused(read_referensi, write(tmp_path / "ro.ods", "x"))
    assert "tidak ada satu pun baris RO" in refused(read_referensi, write(tmp_path / "empty.csv", REF_HEADER + "\n"))


def test_non_utf8_csv_is_read_as_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "ro.csv"
    path.write_bytes(f"{REF_HEADER}\n{RO_A};Layanan Umum \xe9;Layanan;Statis;1;100\n".encode("cp1252"))
    (ro,) = read_referensi(path)
    assert ro.uraian.endswith("é")
