#!/bin/sh
# embed.sh NAME FILE: a C file defining `const unsigned char NAME[]` with
# FILE's bytes and `const unsigned int NAME_len`, on stdout.
set -eu
name=$1 file=$2
echo "/* Generated from $file by scripts/embed.sh; do not edit. */"
echo "const unsigned char ${name}[] = {"
od -An -v -tx1 "$file" | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'
echo "};"
echo "const unsigned int ${name}_len = sizeof ${name};"
