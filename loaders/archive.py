"""A workbook sent as a zip of its CSV folder, unpacked safely.

An archive comes from outside, so nothing in it is trusted: a member's name may try to climb
out of the folder (`../x.csv`, `/etc/x`), be a link, or declare a small size and inflate to
gigabytes. Only plain `.csv` files are taken, from the archive's root or from one folder at
its root (what zipping a folder gives); their names are reduced to the bare file name, never
joined as a path; the count of members and the bytes unpacked are bounded, and the bytes are
counted as they are inflated, not taken from the archive's own (forgeable) directory.
Everything else (notes, `__MACOSX/`, spreadsheets) is left unread.
"""

from __future__ import annotations

import io
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from loaders.messages import problem as said
from sic.errors import LoaderError, Location, Problem

CSV_SUFFIX = ".csv"
MAX_MEMBERS = 1000
"""Entries an archive may list at most (files, folders and anything else)."""

_CHUNK = 1 << 20


@dataclass(frozen=True)
class ArchiveLimits:
    """How large an archive may be once unpacked: bytes in all, and the setting naming it."""

    max_bytes: int
    setting: str = "SIC_MAX_UPLOAD_MB"
    max_members: int = MAX_MEMBERS


def _refuse(where: str, key: str, /, **params: object) -> LoaderError:
    return LoaderError([said(Location(where), key, "error", **params)])


def check_archive(data: bytes, limits: ArchiveLimits, where: str) -> list[zipfile.ZipInfo]:
    """The entries of a zip archive (an .xlsx workbook is one), checked from its directory
    alone: how many, and how many bytes they unpack to. Python's zipfile never inflates a
    member past the size the directory declares, so this bounds what any reader of it gets.

    :raises LoaderError: not a zip, too many entries, or more bytes than allowed.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise _refuse(where, "archive.not_zip", error=error) from None
    with archive:
        infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise _refuse(where, "archive.too_many", count=len(infos), limit=limits.max_members)
    if sum(info.file_size for info in infos) > limits.max_bytes:
        raise _refuse(where, "archive.too_large", **_limit(limits))
    return infos


def workbook_members(data: bytes, limits: ArchiveLimits, where: str) -> list[zipfile.ZipInfo]:
    """The CSV files of a zipped workbook, checked from the archive's directory alone.

    Cheap (nothing is inflated), so a request can be refused before it is queued.

    :raises LoaderError: as check_archive; a member that is a link, is encrypted or names a
        path outside the archive; two CSV files of one name; CSV files in more than one
        folder; no CSV file at all. Each problem names the member (`where` is the archive).
    """
    infos = check_archive(data, limits, where)
    problems: list[Problem] = []
    chosen: list[zipfile.ZipInfo] = []
    folders: set[tuple[str, ...]] = set()
    names: set[str] = set()
    for info in infos:
        member = PurePosixPath(info.filename.replace("\\", "/"))
        located = Location(f"{where}: {info.filename}")
        if info.filename.startswith(("/", "\\")) or ".." in member.parts or ":" in info.filename:
            problems.append(said(located, "archive.outside"))
            continue
        if info.is_dir() or member.parts[:1] == ("__MACOSX",):
            continue
        if member.suffix.lower() != CSV_SUFFIX:
            continue
        if stat.S_ISLNK(info.external_attr >> 16):
            problems.append(said(located, "archive.link"))
            continue
        if info.flag_bits & 0x1:
            problems.append(said(located, "archive.encrypted"))
            continue
        if member.name.lower() in names:
            problems.append(said(located, "archive.second_file", name=member.name))
            continue
        names.add(member.name.lower())
        folders.add(member.parts[:-1])
        chosen.append(info)
    if len(folders) > 1 or any(len(folder) > 1 for folder in folders):
        shown = ", ".join(sorted("/".join(f) or "(root)" for f in folders))
        problems.append(said(Location(where), "archive.folders", folders=shown))
    if not chosen and not problems:
        problems.append(said(Location(where), "archive.no_csv"))
    if problems:
        raise LoaderError(problems)
    return chosen


def unpack_workbook(data: bytes, folder: Path, limits: ArchiveLimits, where: str) -> Path:
    """Write the CSV files of a zipped workbook into `folder` (which must exist, empty).

    Each file lands as `folder/<its bare name>`; the bytes are counted while they inflate, and
    unpacking stops at the limit whatever the archive declares.

    :raises LoaderError: as workbook_members, or a member that is corrupt or inflates past
        the limit.
    """
    members = workbook_members(data, limits, where)
    written = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in members:
            target = folder / PurePosixPath(info.filename.replace("\\", "/")).name
            try:
                with archive.open(info) as source, target.open("xb") as out:
                    while chunk := source.read(_CHUNK):
                        written += len(chunk)
                        if written > limits.max_bytes:
                            raise _refuse(where, "archive.csv_too_large", **_limit(limits))
                        out.write(chunk)
            except (
                zipfile.BadZipFile,
                zlib.error,
                EOFError,
                OSError,
                NotImplementedError,
            ) as error:
                member = f"{where}: {info.filename}"
                raise _refuse(member, "archive.cannot_unpack", error=error) from None
    return folder


def _limit(limits: ArchiveLimits) -> dict[str, str]:
    """The parameters of a too-large sentence: the limit in MB and the setting that names it."""
    return {"mb": f"{limits.max_bytes / (1 << 20):g}", "setting": limits.setting}
