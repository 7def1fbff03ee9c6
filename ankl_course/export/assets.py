"""Browser libraries for exported pages and decks, installed from the npm registry by lockfile.

Why: nbconvert's pages and decks load reveal.js, require.js, jQuery, MathJax and
the widget renderer from CDNs, so they are blank in a lecture hall without
network. The course pins those libraries in ``npm/package.json`` and
``npm/package-lock.json`` (committed; every tarball carries a sha512 integrity
hash that ``npm ci`` verifies) and installs them once, with network, into a
vendor folder that is never committed. ``ankl-course build`` copies the few
files a site needs next to the pages and refuses to build, naming the command
to run, when they are missing or not the pinned versions.

Where the vendor folder is: ``$ANKL_COURSE_VENDOR`` if set; in a checkout,
``vendor/`` at the top of the repository (git-ignored); for an installed wheel,
``~/.cache/ankl-course/vendor``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

from ..errors import CourseDataError
from ..resources import PACKAGE_DIR

NPM_DIR = Path(__file__).with_name("npm")
MANIFEST = NPM_DIR / "package.json"
LOCKFILE = NPM_DIR / "package-lock.json"
VENDOR_ENV = "ANKL_COURSE_VENDOR"
#: Written after a successful ``npm ci``: the sha256 of the lockfile it installed.
STAMP = ".ankl-lock-sha256"
#: Written into a site's assets/ folder after copying: what was copied (see :func:`copy_to_site`).
SITE_STAMP = ".ankl-assets-sha256"
INSTALL_HINT = (
    "install them with `ankl-course assets` (or `make setup-test`); "
    "that needs Node.js with npm and access to the npm registry once"
)

#: Files a site needs, as (npm package, path inside it, path under the site's assets/ folder).
#: Only what a page or deck loads (tests/test_browser.py compares this with what Chromium
#: requests): pages load no library at all; decks load reveal.js, its stylesheet and the
#: speaker-notes plugin. The theme is inlined without its web font (the fallback fonts apply),
#: formulas are SVG made at build time, and no page keeps widget state, so neither MathJax,
#: require.js, jQuery nor the widget renderer is shipped.
SITE_FILES: tuple[tuple[str, str, str], ...] = (
    ("reveal.js", "dist/reveal.js", "reveal.js/dist/reveal.js"),
    ("reveal.js", "dist/reveal.css", "reveal.js/dist/reveal.css"),
    ("reveal.js", "plugin/notes/notes.js", "reveal.js/plugin/notes/notes.js"),
)
#: Files the build reads from the vendor folder but does not copy into a site.
BUILD_FILES: tuple[tuple[str, str], ...] = (
    ("reveal.js", "dist/theme/white.css"),
    ("mathjax", "es5/node-main.js"),
)


def pinned_versions() -> dict[str, str]:
    """The exact versions the manifest pins (package name -> version)."""
    return dict(json.loads(MANIFEST.read_text(encoding="utf-8"))["dependencies"])


def vendor_dir() -> Path:
    """Where the libraries are (or will be) installed; see the module docstring."""
    if os.environ.get(VENDOR_ENV):
        return Path(os.environ[VENDOR_ENV]).expanduser().resolve()
    checkout = PACKAGE_DIR.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "ankl_course").is_dir():
        return checkout / "vendor"
    return Path.home() / ".cache" / "ankl-course" / "vendor"


def lock_digest() -> str:
    """The sha256 of the lockfile: changes whenever a pinned library does."""
    return hashlib.sha256(LOCKFILE.read_bytes()).hexdigest()


def _site_stamp() -> str:
    """What a site's ``assets/`` folder was copied from: the lockfile and the list of files."""
    return hashlib.sha256((lock_digest() + repr(SITE_FILES)).encode()).hexdigest()


def package_dir(name: str, vendor: Path | None = None) -> Path:
    """The installed folder of one npm package."""
    return (vendor or vendor_dir()) / "node_modules" / name


def problems(vendor: Path | None = None) -> list[str]:
    """What is wrong with the installed libraries (empty when all is well)."""
    vendor = vendor or vendor_dir()
    found = []
    for name, version in pinned_versions().items():
        meta = package_dir(name, vendor) / "package.json"
        if not meta.is_file():
            found.append(f"{name} {version} is not installed")
            continue
        installed = json.loads(meta.read_text(encoding="utf-8")).get("version")
        if installed != version:
            found.append(f"{name} is version {installed}, the course pins {version}")
    if not found:
        for package, inner in [(p, i) for p, i, _ in SITE_FILES] + list(BUILD_FILES):
            if not (package_dir(package, vendor) / inner).exists():
                found.append(f"{package} lacks {inner}")
    return found


def require(vendor: Path | None = None) -> Path:
    """The vendor folder, or a :class:`CourseDataError` saying what is missing and what to run."""
    vendor = vendor or vendor_dir()
    found = problems(vendor)
    if found:
        shown = "; ".join(found)
        raise CourseDataError(
            vendor / "node_modules", "",
            f"the browser libraries that exported pages and decks need are missing or wrong ({shown}); "
            + INSTALL_HINT,
        )
    return vendor


def asset_file(package: str, inner: str, vendor: Path | None = None) -> Path:
    """One installed file (e.g. ``asset_file("axe-core", "axe.min.js")`` for the browser tests)."""
    path = package_dir(package, vendor) / inner
    if not path.is_file():
        raise CourseDataError(path, "", f"not installed; {INSTALL_HINT}")
    return path


def copy_to_site(target: Path, vendor: Path | None = None) -> None:
    """Copy the files a site needs into ``target`` (the site's ``assets/`` folder); skipped when
    ``target`` already holds a copy of the same pinned files (a rebuild copies nothing)."""
    vendor = require(vendor)
    stamp = target / SITE_STAMP
    if stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == _site_stamp():
        return
    shutil.rmtree(target, ignore_errors=True)
    for package, inner, destination in SITE_FILES:
        source = package_dir(package, vendor) / inner
        dest = target / destination
        if inner.endswith("/"):
            shutil.copytree(source, dest, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("*.map", "*.LICENSE.txt"))
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
    stamp.write_text(_site_stamp() + "\n", encoding="utf-8")


def install(vendor: Path | None = None, npm: str = "npm", force: bool = False) -> str:
    """Install the pinned libraries with ``npm ci`` (integrity-checked) unless already in place."""
    vendor = vendor or vendor_dir()
    stamp = vendor / STAMP
    if not force and stamp.is_file() and stamp.read_text().strip() == lock_digest() and not problems(vendor):
        return f"Browser libraries already installed in {vendor}"
    executable = shutil.which(npm)
    if executable is None:
        raise CourseDataError(
            npm, "", "npm not found; install Node.js 18 or newer with npm "
            "(Debian/Ubuntu: sudo apt-get install nodejs npm), then run `ankl-course assets` again",
        )
    vendor.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(MANIFEST, vendor / "package.json")
    shutil.copyfile(LOCKFILE, vendor / "package-lock.json")
    command = [executable, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]
    done = subprocess.run(command, cwd=vendor, capture_output=True, text=True)
    if done.returncode != 0:
        tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
        raise CourseDataError(
            vendor, "npm ci",
            f"could not install the browser libraries (exit {done.returncode}: {tail}); "
            "check access to the npm registry (https://registry.npmjs.org) and run `ankl-course assets` again",
        )
    left = problems(vendor)
    if left:
        raise CourseDataError(vendor, "npm ci", "installed, but: " + "; ".join(left))
    stamp.write_text(lock_digest() + "\n")
    versions = ", ".join(f"{name} {version}" for name, version in pinned_versions().items())
    return f"Installed {versions} into {vendor}"


def main(argv: list[str], prog: str = "ankl-course assets") -> int:
    """``ankl-course assets``: install (or check) the browser libraries for exports."""
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0].split(": ", 1)[-1])
    parser.add_argument("--dir", type=Path, help=f"vendor folder (default: {vendor_dir()})")
    parser.add_argument("--check", action="store_true", help="only check the installed libraries")
    parser.add_argument("--force", action="store_true", help="reinstall even if already in place")
    args = parser.parse_args(argv)
    vendor = args.dir.resolve() if args.dir else vendor_dir()
    if args.check:
        require(vendor)
        print(f"Browser libraries OK in {vendor}")
        return 0
    print(install(vendor, force=args.force))
    return 0
