#!/bin/sh
# gen_roster.sh N [SEED]: a synthetic HR roster of N active ASN on stdout, in
# the comma form (nip,name,opd,class,tpp,status), with valid NIPs, names with
# commas and apostrophes, and every class of tests/data/policy.ini.
set -eu
n=$1 seed=${2:-1}
awk -v n="$n" -v seed="$seed" 'BEGIN {
	srand(seed)
	split("Dinas Kesehatan|Dinas Pendidikan|Badan Keuangan Daerah|Sekretariat Daerah|Dinas Koperasi & UMKM|Kecamatan Kraksaan", opd, "|")
	split("pelaksana|pelaksana|pelaksana|fungsional|fungsional|eselon_iv|eselon_iii|kepala_opd|eselon_ii", cls, "|")
	split("Siti|Budi|Ahmad|Dewi|Agus|Sri|Rina|Hendra|Wahyu|Nur", first, "|")
	split("Rahayu|Santoso|Hidayat|Lestari|Wibowo|Susanti|Saputra|Kurniawan", last, "|")
	print "nip,name,opd,class,tpp,status"
	for (i = 1; i <= n; i++) {
		by = 1965 + int(rand() * 35); bm = 1 + int(rand() * 12); bd = 1 + int(rand() * 28)
		ay = by + 20 + int(rand() * 5); am = 1 + int(rand() * 12)
		if (ay > 2025) ay = 2025
		g = 1 + int(rand() * 2)
		nip = sprintf("%04d%02d%02d%04d%02d%d%03d", by, bm, bd, ay, am, g, (i % 999) + 1)
		if (nip in seen) { i--; continue }
		seen[nip] = 1
		name = first[1 + int(rand() * 10)] " " last[1 + int(rand() * 8)]
		if (i % 23 == 0) name = "O'\''" name
		if (i % 17 == 0) name = "\"Drs. H. " name ", M.Si.\""
		tpp = 2000000 + int(rand() * 60) * 100000
		printf "%s,%s,%s,%s,%d,aktif\n", nip, name, opd[1 + int(rand() * 6)], cls[1 + int(rand() * 9)], tpp
	}
}'
