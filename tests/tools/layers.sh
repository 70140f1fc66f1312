#!/usr/bin/env bash
# tests/tools/layers.sh — the layers of lib/: the one table of which folder
# may include which, checked over the tree, and the README's module map
# printed from the same table and the headers' first sentences.
#
#   layers.sh check [ROOT]   every #include "…" of lib/ and cgi-bin/ keeps
#                            to the table; silent and exit 0 when it does,
#                            else one line per wrong include, exit 1
#   layers.sh map [ROOT]     the README's layer table and module map
#                            (markdown); exit 1 when the table and the
#                            tree disagree
#
# ROOT is the checkout (default: this script's).  `make check-layers` and
# `make module-map` run it; tests/integration/layers.test.js
# checks README.md against `map`.
set -u

# The layers, lowest first: rank, folder, its modules in reading order
# ("...": the folder's other modules, alphabetically — the providers).
# A file of lib/F/ includes headers of lib/F/ and of folders of a lower
# rank only (never one of its own rank or above); cgi-bin/ includes only
# lib/ headers, and lib/sandbox/ only from cgi-bin/sandbox.c.  Tests may
# include anything.
LAYERS='
0 base         err limit mem arena buf kv day hex log config jsonx numfmt
               prom utf8
1 crypto       crypto
1 store        db migrate throttle
1 net          httpc
1 render       mustache tmpl
2 web          req resp route session apikey prefork reqstats app
2 tenancy      account
2 hooks        outbox
3 providers    provider registry oauth pcall accounts fetch syncnorm
               google meta ...
4 metrics      metric catalogue ingest tiles export reporting reviews content
4 connections  vault connection oauthstate token connect
5 insights     insights intel
5 business     inquiry booking attribution
6 mail         email notice webhook digest monthly
7 sync         syncq sync schedule ops alerts
8 views        views
9 sandbox      sandbox sandbox_priv faults registry google meta ...
'

what=${1:-check}
root=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root" || exit 2

# The table as "folder rank module…" lines (continuation lines joined).
table() {
	awk 'NF == 0 { next }
	    $1 ~ /^[0-9]+$/ { if (line != "") print line; line = $2 " " $1
		for (i = 3; i <= NF; i++) line = line " " $i; next }
	    { for (i = 1; i <= NF; i++) line = line " " $i }
	    END { if (line != "") print line }' <<<"$LAYERS"
}

check() {
	local files
	files=$(find lib cgi-bin -name '*.[ch]' | sort)
	# shellcheck disable=SC2086
	table | awk -v list="$files" '
	NR == FNR { rank[$1] = $2; next }
	FNR == 1 && !started {
		started = 1
		n = split(list, fs, "\n")
		for (i = 1; i <= n; i++) {
			split(fs[i], p, "/")
			if (p[1] == "lib" && !(p[2] in rank) && !(p[2] in told)) {
				told[p[2]] = 1
				printf "lib/%s/: a folder of no layer: add it to " \
				    "the table in tests/tools/layers.sh\n", p[2]
				bad++
			}
		}
	}
	{
		if (!match($0, /^[ \t]*#[ \t]*include[ \t]*"[^"]*"/))
			next
		inc = substr($0, RSTART, RLENGTH)
		sub(/^[^"]*"/, "", inc); sub(/"$/, "", inc)
		split(FILENAME, p, "/")
		where = FILENAME ":" FNR ": #include \"" inc "\": "
		dir = inc ~ /\// ? substr(inc, 1, index(inc, "/") - 1) : ""
		if (inc ~ /(^|\/)\.\.?(\/|$)/) {
			print where "a path with . or .. hides the folder it " \
			    "reaches (write \"FOLDER/NAME.h\")"
			bad++
		} else if (dir == "" || !(dir in rank)) {
			print where "not a lib/ header by its folder path " \
			    "(write \"FOLDER/NAME.h\", FOLDER a layer of " \
			    "tests/tools/layers.sh)"
			bad++
		} else if (p[1] == "cgi-bin") {
			if (dir == "sandbox" && FILENAME != "cgi-bin/sandbox.c") {
				print where "lib/sandbox/ is for cgi-bin/" \
				    "sandbox.c and the tests only"
				bad++
			}
		} else if (dir != p[2] && rank[dir] + 0 >= rank[p[2]] + 0) {
			printf "%s%s (layer %d) may not include %s (layer %d):" \
			    " a file includes its own folder and lower " \
			    "layers only\n", where, p[2], rank[p[2]], dir,
			    rank[dir]
			bad++
		}
	}
	END { exit bad > 0 }' - $files
}

# The first line of a file's top comment ("/*" then " * NAME — what it
# is for.", or "/* NAME — what it is for. */").
first_line() {
	awk 'NR == 1 && /^\/\* .*\*\/$/ { sub(/^\/\* /, ""); sub(/ \*\/$/, "")
		print; exit }
	    NR == 1 { next }
	    { sub(/^ \* /, ""); print; exit }' "$1"
}

# The modules named, with "..." replaced by the folder's modules the row
# does not name, alphabetically (so a provider's file needs no line here).
expand_rest() {
	local folder=$1 m f named=" " rest=""
	shift
	for m in "$@"; do named="$named$m "; done
	for f in lib/"$folder"/*.[ch]; do
		m=$(basename "$f"); m=${m%.[ch]}
		case "$named$rest" in *" $m "*) continue ;; esac
		rest="$rest$m "
	done
	for m in "$@"; do
		if [ "$m" = ... ]; then printf '%s' "$rest"; else printf '%s ' "$m"; fi
	done
}

map() {
	local folder rank mods m f line first bad=0 seen
	echo '| layer | folders |'
	echo '|-------|---------|'
	table | awk '{ f[$2] = f[$2] (f[$2] == "" ? "" : ", ") "`" $1 "/`" }
	    END { for (r = 0; r in f; r++) print "| " r " | " f[r] " |" }'
	echo
	echo '| folder | module | what it is for |'
	echo '|--------|--------|----------------|'
	while read -r folder rank mods; do
		first="**\`$folder/\`**"
		seen=" "
		mods=$(expand_rest "$folder" $mods)
		for m in $mods; do
			f=lib/$folder/$m.h
			[ -e "$f" ] || f=lib/$folder/$m.c
			if [ ! -e "$f" ]; then
				echo "layers.sh: $folder/$m is in the table," \
				    "not in lib/" >&2
				bad=1; continue
			fi
			line=$(first_line "$f")
			case $line in
			"${f##*/} — "*.) line=${line#* — }; line=${line%.} ;;
			*)	echo "layers.sh: $f: the top comment must begin" \
				    "\"${f##*/} — what it is for.\" on one line" >&2
				bad=1; continue ;;
			esac
			echo "| $first | \`$m\` | $line |"
			first=
			seen="$seen$m "
		done
		for f in lib/"$folder"/*.[ch]; do
			m=$(basename "$f"); m=${m%.[ch]}
			case $seen in *" $m "*) continue ;; esac
			echo "layers.sh: $f is in no layer: add $m to the" \
			    "table" >&2
			bad=1
		done
	done < <(table)
	return $bad
}

case $what in
check)	check ;;
map)	map ;;
*)	echo "usage: layers.sh check|map [ROOT]" >&2; exit 2 ;;
esac
