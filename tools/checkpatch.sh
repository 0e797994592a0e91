#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run checkpatch.pl --strict (from Debian's linux-source tarball) over kitt's
# kernel sources. Message types listed for a file in
# tools/checkpatch-exceptions, with the reason, are ignored for that file.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$top/build/checkpatch
cp=$dir/scripts/checkpatch.pl

if [ ! -x "$cp" ]; then
	tarball=$(ls /usr/src/linux-source-*.tar.* 2>/dev/null | sort -V | tail -n 1)
	[ -n "$tarball" ] || { echo "checkpatch: no linux-source tarball (run tools/setup.sh)" >&2; exit 1; }
	mkdir -p "$dir"
	src=$(tar tf "$tarball" | head -n 1 | cut -d/ -f1)
	tar xf "$tarball" -C "$dir" --strip-components=1 "$src/scripts/checkpatch.pl" \
		"$src/scripts/spelling.txt" "$src/scripts/const_structs.checkpatch"
fi

cd "$top"
rc=0
for f in drivers/*.c include/kitt/*.h; do
	ignore=$(awk -v f="$f" '$1 == f { print $2 }' tools/checkpatch-exceptions)
	"$cp" --no-tree --strict --terse --show-types --quiet \
		${ignore:+--ignore "$ignore"} -f "$f" || rc=1
done
[ $rc -eq 0 ] && echo "checkpatch: clean"
exit $rc
