#!/bin/bash
# The camera at a real counter: frames of an issued voucher's QR under the
# conditions of tests/camera/frames.py (small, rotated, perspective, blur,
# dim with noise, moiré, a crease, a QRIS code beside it or alone, an
# inverted screen), read by zbarimg as the reference and fed to the scanner
# page as fake cameras in headless Chromium (tests/browser/camera.mjs): the
# page reads the voucher wherever zbarimg does.
. "$(dirname "$0")/lib.sh"
D=$(cd "$(dirname "$0")" && pwd)
CHROMIUM=${CHROMIUM:-$(command -v chromium || true)}
if [ -z "$CHROMIUM" ] || ! command -v node >/dev/null || ! /usr/bin/python3 -c 'import PIL, numpy' 2>/dev/null ||
	! command -v qrencode >/dev/null; then
	fail "the camera test needs chromium, node, python3-pil, python3-numpy and qrencode (make deps installs them)"
	exit 1
fi
if [ ! -d "$D/browser/node_modules/playwright-core" ]; then
	echo "# installing playwright-core from the npm registry (tests/browser/package-lock.json)"
	(cd "$D/browser" && npm ci --no-audit --no-fund --loglevel=error) ||
		{ fail "npm ci in tests/browser"; exit 1; }
fi
OUT=${BUILD:-$D/../build}/browser
mkdir -p "$OUT"
cd "$T"
make_keys
write_policy p.ini pelaksana:50000
printf 'nip,name,opd,class\n197203151998031001,Ani,Dinas,pelaksana\n' >roster.csv
issue L p.ini "$NOW" O
SERIAL=$(python3 -c "import csv; print(next(csv.DictReader(open('O/vouchers.csv')))['serial'])")
TEXT=$(python3 -c "import csv; print(next(csv.DictReader(open('O/vouchers.csv')))['token'])")
mkdir frames
/usr/bin/python3 "$D/camera/frames.py" "O/qr/$SERIAL.png" frames >/dev/null 2>&1 ||
	{ fail "frames.py made the frames"; exit 1; }
ZBAR={
for f in frames/*.png; do
	c=$(basename "$f" .png)
	read=false
	zbarimg -q --raw "$f" 2>/dev/null | grep -qxF "$TEXT" && read=true
	ZBAR="$ZBAR\"$c\":$read,"
done
ZBAR="${ZBAR%,}}"
echo "# zbarimg: $ZBAR"
TOKEN=$("$BIN/voucher-redeemer" terminal add --db db --merchant M --name kasir --gallery G | tail -n 1)
start_redeemer --db db --keyring "$K/keyring" --listen 127.0.0.1:0
export URL TOKEN SERIAL OUT CHROMIUM ZBAR FRAMES=$T/frames
node "$D/browser/camera.mjs"
