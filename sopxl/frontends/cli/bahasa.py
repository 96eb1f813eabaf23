"""Click's own texts (usage errors, help headings, the help and version options) in Bahasa
Indonesia, for every command of the `sopxl` group.

Click routes each of its user-facing strings through `gettext`, imported into each of its
modules as `_` (and `ngettext`). Going through the stdlib's catalogue machinery would need
compiled `.mo` files and an Indonesian locale in the user's environment; instead `install()`
points those module-level names at the catalogue below, so the messages are Indonesian
whatever the locale. Click formats its messages after the lookup, so the placeholders of each
translation are those of the English original. tests/test_cli_indonesian.py checks that every
literal click passes to `_`/`ngettext` has an entry here, so a click upgrade that adds a
message fails the suite instead of leaking English.
"""

from __future__ import annotations

import importlib
import sys

import click
import click.types

# English msgid -> Indonesian. "Missing option" and its kin are followed by " '--name'." in
# click's format, hence the colon.
MESSAGES: dict[str, str] = {
    # usage errors
    "Error: {message}": "Galat: {message}",
    "Try '{command} {option}' for help.": "Coba '{command} {option}' untuk bantuan.",
    "Missing argument": "Argumen wajib belum diberikan:",
    "Missing option": "Opsi wajib belum diberikan:",
    "Missing parameter": "Parameter wajib belum diberikan:",
    "Missing {param_type}": "Wajib diberikan ({param_type}):",
    "Missing parameter: {param_name}": "Parameter wajib belum diberikan: {param_name}",
    "Missing command.": "Perintah belum diberikan.",
    "No such option {name!r}.": "Opsi {name!r} tidak dikenal.",
    "No such command {name!r}.": "Perintah {name!r} tidak dikenal.",
    "Invalid value: {message}": "Nilai tidak sah: {message}",
    "Invalid value for {param_hint}: {message}": "Nilai tidak sah untuk {param_hint}: {message}",
    "Option {name!r} does not take a value.": "Opsi {name!r} tidak menerima nilai.",
    "Argument {name!r} takes {nargs} values.": "Argumen {name!r} memerlukan {nargs} nilai.",
    "Invalid start character for option ({option})": "Karakter awal opsi tidak sah ({option})",
    "Value must be an iterable.": "Nilai harus berupa daftar.",
    "unknown error": "galat tak dikenal",
    "Could not open file {filename!r}: {message}": "Berkas {filename!r} tidak dapat dibuka: {message}",
    "Aborted!": "Dibatalkan.",
    # values of typed parameters
    "Choose from:\n\t{choices}": "Pilih salah satu:\n\t{choices}",
    "Choice({choices})": "Pilihan({choices})",
    # int and float alike: the type's own name is English, so it is left out
    "{value!r} is not a valid {number_type}.": "{value!r} bukan angka yang sah.",
    "{value} is not in the range {range}.": "{value} di luar rentang {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "{value!r} bukan nilai ya/tidak yang sah. Nilai yang dikenali: {states}"
    ),
    "{value!r} is not a valid UUID.": "{value!r} bukan UUID yang sah.",
    "file": "berkas",
    "directory": "folder",
    "path": "jalur",
    "{name} {filename!r} does not exist.": "{name} {filename!r} tidak ada.",
    "{name} {filename!r} is a file.": "{name} {filename!r} adalah berkas, bukan folder.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} adalah folder, bukan berkas.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} tidak dapat dibaca.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} tidak dapat ditulisi.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} tidak dapat dijalankan.",
    # help pages
    "Usage:": "Penggunaan:",
    "Options": "Opsi",
    "Commands": "Perintah",
    "Positional arguments": "Argumen posisi",
    "Show this message and exit.": "Tampilkan bantuan ini lalu keluar.",
    "Show the version and exit.": "Tampilkan versi lalu keluar.",
    "%(prog)s, version %(version)s": "%(prog)s, versi %(version)s",
    "default: {default}": "bawaan: {default}",
    "required": "wajib",
    "env var: {var}": "variabel lingkungan: {var}",
    "(dynamic)": "(dinamis)",
    "deprecated": "usang",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}": (
        "Peringatan: perintah {name!r} sudah usang.{extra_message}"
    ),
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}": (
        "Peringatan: {name!r} sudah usang.{extra_message}"
    ),
    # prompts and terminal helpers
    "Do you want to continue?": "Lanjutkan?",
    "Confirm the action without prompting.": "Setujui tindakan tanpa bertanya.",
    "Repeat for confirmation": "Ulangi untuk konfirmasi",
    "Error: The two entered values do not match.": "Galat: kedua nilai yang dimasukkan tidak sama.",
    "Error: invalid input": "Galat: masukan tidak sah",
    "Press any key to continue...": "Tekan sembarang tombol untuk melanjutkan...",
    "Unknown color {colour!r}": "Warna {colour!r} tidak dikenal",
    "Unknown standard stream '{name}'": "Aliran standar '{name}' tidak dikenal",
    "d": "h",  # days, in a progress bar's remaining time
    "{editor}: Editing failed": "{editor}: penyuntingan gagal",
    "{editor}: Editing failed: {e}": "{editor}: penyuntingan gagal: {e}",
    "Windows error: {error}": "Galat Windows: {error}",
    "Couldn't detect Bash version, shell completion is not supported.": (
        "Versi Bash tidak terdeteksi; pelengkapan perintah tidak didukung."
    ),
    "Shell completion is not supported for Bash versions older than 4.4.": (
        "Pelengkapan perintah tidak didukung untuk Bash sebelum versi 4.4."
    ),
    # mistakes in a command's own declarations (seen by developers, kept consistent)
    "Could not determine name for option with declarations {decls!r}": (
        "Nama opsi tidak dapat ditentukan dari deklarasi {decls!r}"
    ),
    "No options defined but a name was passed ({name}). Did you mean to declare an argument "
    "instead? Did you mean to pass '--{name}'?": (
        "Tidak ada opsi yang dideklarasikan tetapi sebuah nama diberikan ({name}). Maksudnya "
        "mendeklarasikan argumen? Atau maksudnya '--{name}'?"
    ),
    "Arguments take exactly one parameter declaration, got {length}: {decls}.": (
        "Argumen memerlukan tepat satu deklarasi parameter, diberikan {length}: {decls}."
    ),
    "Name '{name}' defined twice": "Nama '{name}' dideklarasikan dua kali",
    "Boolean option {decl!r} cannot use the same flag for true/false.": (
        "Opsi ya/tidak {decl!r} tidak boleh memakai penanda yang sama untuk ya dan tidak."
    ),
}

# (singular, plural) msgid -> (singular, plural) Indonesian
PLURAL_MESSAGES: dict[tuple[str, str], tuple[str, str]] = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"): (
        "Ada argumen berlebih yang tidak dikenal ({args}).",
        "Ada argumen berlebih yang tidak dikenal ({args}).",
    ),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"): (
        "Maksud Anda {possibility}?",
        "(Maksud Anda salah satu dari: {possibilities}?)",
    ),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."): (
        "Opsi {name!r} memerlukan nilai.",
        "Opsi {name!r} memerlukan {nargs} nilai.",
    ),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."): (
        "Memerlukan {nargs} nilai tetapi hanya 1 yang diberikan.",
        "Memerlukan {nargs} nilai tetapi {len} yang diberikan.",
    ),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."): (
        "{value!r} bukan {choice}.",
        "{value!r} bukan salah satu dari {choices}.",
    ),
    ("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."): (
        "{value!r} tidak sesuai format {format}.",
        "{value!r} tidak sesuai format mana pun dari {formats}.",
    ),
    (
        "{len_type} values are required, but {len_value} was given.",
        "{len_type} values are required, but {len_value} were given.",
    ): (
        "Diperlukan {len_type} nilai, tetapi {len_value} yang diberikan.",
        "Diperlukan {len_type} nilai, tetapi {len_value} yang diberikan.",
    ),
}

# Metavars in help and usage: click shows an untyped option as TEXT, an int as INTEGER.
TYPE_NAMES: dict[type[click.ParamType], str] = {
    click.types.StringParamType: "teks",
    click.types.UnprocessedParamType: "teks",
    click.types.IntParamType: "angka",
    click.types.IntRange: "angka",
    click.types.FloatParamType: "angka",
    click.types.FloatRange: "angka",
    click.types.BoolParamType: "ya/tidak",
    click.types.DateTime: "tanggal",
    click.types.File: "berkas",
}

OPTIONS_METAVAR = "[OPSI]"
SUBCOMMAND_METAVAR = "PERINTAH [ARGUMEN]..."

# Every click module that imports gettext; _winconsole only exists to be imported on Windows.
CLICK_MODULES = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.types",
    "click.termui",
    "click.utils",
    "click._termui_impl",
    "click.shell_completion",
)
WINDOWS_MODULES = ("click._winconsole",)


def gettext(message: str) -> str:
    """The Indonesian text of one of click's messages (the English one if it has none)."""
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """`gettext.ngettext` over PLURAL_MESSAGES."""
    pair = PLURAL_MESSAGES.get((singular, plural), (singular, plural))
    return pair[0] if n == 1 else pair[1]


def install() -> None:
    """Make click speak Indonesian in this process. Idempotent; must run before click
    decorators that evaluate texts at decoration time (`click.version_option`)."""
    names = list(CLICK_MODULES)
    names += [name for name in WINDOWS_MODULES if sys.platform == "win32" or name in sys.modules]
    for name in names:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
    for param_type, type_name in TYPE_NAMES.items():
        param_type.name = type_name


def localize_command(command: click.Command) -> click.Command:
    """Indonesian usage-line placeholder for a command that kept click's default."""
    if command.options_metavar == "[OPTIONS]":
        command.options_metavar = OPTIONS_METAVAR
    return command
