#!/bin/sh
# Install the Debian packages this project needs, and nothing when all are
# present. Runs apt-get through sudo when not root. Says what it installs.
set -eu

# package            what for
PACKAGES="
build-essential      compiler and make
pkg-config           compiler flags of the libraries below
libssl-dev           OpenSSL: Ed25519 signatures, SHA-256, randomness, TLS
liblmdb-dev          LMDB: the issuance ledger and the redeemer's spend store
libevent-dev         libevent: the redeemer's HTTP service
libqrencode-dev      libqrencode: QR codes
libhpdf-dev          libharu: printable PDF voucher sheets
fonts-dejavu-core    the DejaVu Sans font the sheets embed
libpng-dev           libpng: QR images as PNG
libjansson-dev       jansson: JSON for the HTTP API
libinih-dev          inih: policy and config INI files
libcsv-dev           libcsv: roster and journal CSV
libxlsxwriter-dev    libxlsxwriter: the workbooks for Excel (deductions.xlsx, report.xlsx)
libcmocka-dev        cmocka: unit tests
zbar-tools           zbarimg: tests decode real QR images
poppler-utils        pdftoppm: tests render PDF sheets to images
curl                 tests drive the HTTP API
python3              tests and the demo read CSV and JSON and drive HTTP
openssl              tests make keys and a test CA with the openssl command
clang                libFuzzer harnesses (make fuzz)
clang-format         make check refuses C files that differ from .clang-format
valgrind             the tools that run briefly are checked under memcheck
man-db               the install test renders the man pages (man, groff)
wrk                  make bench drives the redeemer over HTTP (bench/redeem.lua)
chromium             tests drive the scanner page in a headless browser
python3-pil          the camera-conditions test makes its frames (tests/camera/frames.py)
python3-numpy        the same: blur, noise, moiré, creases
qrencode             the same: a QRIS-like code beside the voucher
python3-openpyxl     tests read the workbooks back (tests/xlsx_check.py)
faketime             the archive test runs the archive command six weeks ahead
"

missing=$(printf '%s\n' "$PACKAGES" | awk 'NF {print $1}' | while read -r p; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || printf '%s ' "$p"
done)
# Node.js and npm run the browser tests (playwright-core from the npm
# registry); any Node.js 18 or later will do, Debian's if there is none.
command -v node >/dev/null && command -v npm >/dev/null || missing="$missing nodejs npm"
missing=${missing# }
[ -z "$missing" ] && exit 0

echo "deps: installing Debian packages: $missing"
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
