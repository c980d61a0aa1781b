#!/usr/bin/env bash
# Draw guard-bench results with gnuplot: PNG (800x600) and SVG into
# plots/.  Every number comes from guard-bench itself (compare and
# trend --format tsv) or from a run's hist/*.tsv, which gnuplot reads
# as they are: this script only sorts rows into files and names them.
#
#   scripts/plot.sh run RUN...                  latency CDFs, sweeps
#   scripts/plot.sh compare [OPTIONS] BASE NEW  ratio charts, CDFs, sweeps
#   scripts/plot.sh trend [OPTIONS] RUN...      trend lines, sweeps
#
# OPTIONS (--threshold PCT, --allow-incomplete) are passed to guard-bench.
# Environment: PLOTS_DIR (default plots), GNUPLOT (default gnuplot),
# GUARD_BENCH (default bench/guard-bench of this tree).
# Exit status: 0 drawn; 1 gnuplot failed on a plot; 2 usage; 3 and 6
# as guard-bench (a run missing or corrupt, no cell in common); 7
# gnuplot is not installed (nothing drawn).
set -u
here=$(cd "$(dirname "$0")" && pwd)
gpdir=$here/plot/
GB=${GUARD_BENCH:-$here/../bench/guard-bench}
GNUPLOT=${GNUPLOT:-gnuplot}
out=${PLOTS_DIR:-plots}

die() {
	echo "plot.sh: $1" >&2
	exit "$2"
}

usage() { sed -n '2,17s/^# \{0,1\}//p' "$0"; }

mode=${1:-}
[ $# -gt 0 ] && shift
case $mode in
run | compare | trend) ;;
-h | --help) usage; exit 0 ;;
*) die "unknown mode '$mode': use run, compare or trend (plot.sh --help)" 2 ;;
esac

if ! command -v "$GNUPLOT" >/dev/null 2>&1; then
	die "gnuplot not found, no plots drawn: install it (Debian, Ubuntu: \
sudo apt-get install gnuplot-nox; Fedora: sudo dnf install gnuplot; \
openSUSE: sudo zypper install gnuplot; Arch: sudo pacman -S gnuplot)" 7
fi

# Options for guard-bench, runs for us; the delta band needs --threshold.
opts=() runs=() delta=2
while [ $# -gt 0 ]; do
	case $1 in
	--threshold)
		[ $# -ge 2 ] || die "$1 needs a value" 2
		opts+=("$1" "$2")
		[ "$1" = --threshold ] && delta=$2
		shift
		;;
	--threshold=* | --allow-incomplete)
		opts+=("$1")
		case $1 in --threshold=*) delta=${1#*=} ;; esac
		;;
	-*) die "unknown option '$1': plot.sh passes --threshold and --allow-incomplete" 2 ;;
	*) runs+=("$1") ;;
	esac
	shift
done
pct=${delta%\%}
delta=$(awk -v d="$pct" 'BEGIN { print d / 100 }')
[ ${#runs[@]} -ge 1 ] || die "$mode needs run directories (plot.sh --help)" 2
if [ "$mode" = compare ] && [ ${#runs[@]} -ne 2 ]; then
	die "compare needs two runs, BASE and NEW, got ${#runs[@]}" 2
fi
# A compare side may pool runs, RUN1,RUN2,...: compare gets the sides as
# given; labels, CDFs and tails come from each side's first run.
sides=("${runs[@]}")
if [ "$mode" = compare ]; then
	runs=("${runs[0]%%,*}" "${runs[1]%%,*}")
fi
mkdir -p "$out" || die "cannot create $out: set PLOTS_DIR to a writable place" 3

tmp=$(mktemp -d "${TMPDIR:-/tmp}/guard-bench-plot.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
drawn=0 failed=0

# A gnuplot single-quoted string: quotes are doubled, nothing escaped.
q() { printf "'%s'" "${1//\'/\'\'}"; }

# "array NAME[n]; NAME[1]='..'; ...": lists handed to a script.
arr() {
	local name=$1 s i=1
	shift
	s="array $name[$#]"
	for v in "$@"; do
		s+="; $name[$i]=$(q "$v")"
		i=$((i + 1))
	done
	printf '%s' "$s"
}

# gp SCRIPT OUTNAME STATEMENT...: draw OUTNAME.png and OUTNAME.svg.
gp() {
	local script=$1 name=$2 defs
	shift 2
	defs="out=$(q "$out/$name"); gpdir=$(q "$gpdir")"
	for d in "$@"; do defs+="; $d"; done
	if "$GNUPLOT" -e "$defs" "$gpdir$script.gp" 2>"$tmp/gp.err" &&
		[ -s "$out/$name.png" ] && [ -s "$out/$name.svg" ]; then
		drawn=$((drawn + 1))
	else
		echo "plot.sh: gnuplot failed on $out/$name:" >&2
		tail -n 4 "$tmp/gp.err" | sed 's/^/  /' >&2
		failed=1
	fi
}

# Title lines: what is drawn, and whose runs.
heading() {
	local s=$(q "$1")
	shift
	for l in "$@"; do s+='."\n".'$(q "$l"); done
	printf '%s' "$s"
}

# Each run's label ("6.19 mmap-read", "... EMULATED write-lock") and
# every number below come from guard-bench's trend table.
"$GB" trend --all --format tsv "${opts[@]}" "${runs[@]}" >"$tmp/trend.tsv" \
	2>"$tmp/gb.err"
rc=$?
if [ $rc -ne 0 ]; then
	cat "$tmp/gb.err" >&2
	exit $rc
fi

# Each run's label, asked of guard-bench run by run (trend pools runs
# of one kernel into one point); where two runs share one (one release
# twice without --label), each gets its run name too, so curves differ.
for dir in "${runs[@]}"; do
	"$GB" trend --format tsv "${opts[@]}" "$dir" 2>/dev/null |
		awk -F'\t' -v dir="$dir" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			{ print dir "\t" $c["label"] "\t" $c["run"]; exit }'
done | awk -F'\t' '{ d[NR] = $1; l[NR] = $2; r[NR] = $3; k[$2]++ }
	END { for (i = 1; i <= NR; i++) { x = r[i]; sub(/.*\//, "", x)
		print d[i] "\t" l[i] (k[l[i]] > 1 ? " [" x "]" : "") } }' >"$tmp/labels"
label_of() {
	awk -F'\t' -v dir="$1" '$1 == dir { print $2; exit }' "$tmp/labels"
}

# Whose runs a plot shows, as title lines: new and base for compare,
# the one run, or the first and last kernel of many (each run's
# guard_path is then on the x axis or in the legend).
if [ "$mode" = compare ]; then
	whose=("new: $(label_of "${runs[1]}")" "base: $(label_of "${runs[0]}")")
elif [ ${#runs[@]} -eq 1 ]; then
	whose=("$(label_of "${runs[0]}")")
else
	whose=("$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ k[$c["order"]] = $c["kernel_release"]; if ($c["order"] > n) n = $c["order"] }
		END { printf "%d kernel%s (%d runs), %s", n, (n > 1 ? "s" : ""), nr, k[1]
			if (n > 1) printf " to %s", k[n]
			print "" }' nr=${#runs[@]} "$tmp/trend.tsv")")
fi

# ---- contender sweeps: install p99 and faults/s against faulters ------
sweeps() {
	awk -F'\t' -v tmp="$tmp" '
	NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["scenario"] != "faults" { next }
	$c["metric"] != "install_latency_p99_ns" && $c["metric"] != "faults_per_sec_total" { next }
	{
		# "share=S faulters=N"; the installer=none controls are not a sweep
		if (split($c["cell"], kv, " ") != 2) next
		if (kv[1] !~ /^share=/ || kv[2] !~ /^faulters=/) next
		share = substr(kv[1], 7); x = substr(kv[2], 10)
		m = $c["median"]; lo = $c["ci_lo"]; hi = $c["ci_hi"]
		if (lo == "nan") lo = m
		if (hi == "nan") hi = m
		key = $c["metric"] SUBSEP $c["order"]
		row = x "\t" m "\t" lo "\t" hi
		if (share == "none") { zero[key] = row; next }
		f = tmp "/sweep." $c["metric"] "." share "." $c["order"] ".tsv"
		print row > f
		files[f] = key
		man[f] = $c["metric"] "\t" $c["unit"] "\t" share "\t" $c["order"] "\t" $c["label"] "\t" f
	}
	END {
		# the uncontended cell is x = 0 of every share
		for (f in files) {
			if (files[f] in zero) print zero[files[f]] > f
			close(f)
			print man[f] > (tmp "/sweeps")
		}
	}' "$tmp/trend.tsv"
	[ -s "$tmp/sweeps" ] || return 0
	sort -t$'\t' -k1,1 -k3,3 -k4,4n "$tmp/sweeps" >"$tmp/sweeps.sorted"
	local metric share unit key prev="" files=() labels=() punit=""
	flush_sweep() {
		[ ${#files[@]} -gt 0 ] || return 0
		local script=sweep xl='faulter threads (contenders)' nx
		# two contender counts make a line that suggests a trend
		nx=$(cut -f1 "${files[@]}" | sort -u | wc -l)
		if [ "$nx" -lt 3 ]; then
			script=bars
			xl+=": $nx contender count(s) here: bars, not a line"
		fi
		gp $script "$mode-sweep-${prev//$'\t'/-}" \
			"source_text='data: trials.tsv (guard-bench trend --format tsv): median, 95% CI'" \
			"heading=$(heading "faults share=${prev#*$'\t'}: ${prev%%$'\t'*} against faulters" "${whose[@]}")" \
			"xlabel_text=$(q "$xl")" \
			"ylabel_text=$(q "${prev%%$'\t'*} ($punit)")" \
			"$(arr files "${files[@]}")" "$(arr labels "${labels[@]}")"
		files=() labels=()
	}
	while IFS=$'\t' read -r metric unit share _ label f; do
		key="$metric"$'\t'"$share"
		[ "$key" = "$prev" ] || flush_sweep
		prev=$key punit=$unit
		sort -n -o "$f" "$f"
		files+=("$f") labels+=("$label")
	done <"$tmp/sweeps.sorted"
	flush_sweep
}

# ---- latency CDFs: one plot per cell and op, one line per run ---------
# hist/install.backing-anon_pages-1.install.tsv -> "install backing=anon
# pages=1", op "install" (results.c writes the name that way)
cdfs() {
	local name cell op files labels dir
	for dir in "${runs[@]}"; do
		ls "$dir"/hist/ 2>/dev/null
	done | sort -u >"$tmp/hists"
	while read -r name; do
		[ -n "$name" ] || continue
		files=() labels=()
		for dir in "${runs[@]}"; do
			[ -s "$dir/hist/$name" ] || continue
			files+=("$dir/hist/$name")
			labels+=("$(label_of "$dir")")
		done
		[ ${#files[@]} -gt 0 ] || continue
		op=${name%.tsv}
		op=${op##*.}
		cell=$(echo "${name%.*.tsv}" | awk '{
			sc = $0; sub(/\..*/, "", sc); rest = substr($0, length(sc) + 2)
			n = split(rest, kv, "_"); out = sc
			for (i = 1; i <= n; i++) { sub(/-/, "=", kv[i]); out = out " " kv[i] }
			print out }')
		gp cdf "$mode-cdf-${name%.tsv}" \
			"heading=$(heading "$cell: $op latency, CDF" "${whose[@]}")" \
			"source_text='data: hist/${name//\'/} (every trial pooled; the tables use trials.tsv)'" \
			"$(arr files "${files[@]}")" "$(arr labels "${labels[@]}")"
	done <"$tmp/hists"
	survival
}

# ---- latency tails: 1 - CDF, log-log, every op of a cell on one plot ---
survival() {
	local prefix cell name op files labels opidx dir o
	sed 's/\.[^.]*\.tsv$//' "$tmp/hists" | sort -u >"$tmp/cells"	# hist/<cell>.<op>.tsv
	while read -r prefix; do
		[ -n "$prefix" ] || continue
		files=() labels=() opidx=()
		o=0
		for name in $(awk -v p="$prefix" '{ q = $0; sub(/\.[^.]*\.tsv$/, "", q) } q == p' "$tmp/hists"); do
			op=${name%.tsv}
			op=${op##*.}
			o=$((o + 1))
			for dir in "${runs[@]}"; do
				[ -s "$dir/hist/$name" ] || continue
				files+=("$dir/hist/$name")
				labels+=("$op: $(label_of "$dir")")
				opidx+=("$o")
			done
		done
		[ ${#files[@]} -gt 0 ] || continue
		cell=$(echo "$prefix" | awk '{
			sc = $0; sub(/\..*/, "", sc); rest = substr($0, length(sc) + 2)
			n = split(rest, kv, "_"); out = sc
			for (i = 1; i <= n; i++) { sub(/-/, "=", kv[i]); out = out " " kv[i] }
			print out }')
		gp survival "$mode-tail-$prefix" \
			"heading=$(heading "$cell: latency tail, 1 - CDF" "${whose[@]}")" \
			"source_text='data: hist/$prefix.*.tsv (every trial pooled; the tables use trials.tsv)'" \
			"$(arr files "${files[@]}")" "$(arr labels "${labels[@]}")" \
			"$(arr ops "${opidx[@]}")"
	done <"$tmp/cells"
}

# ---- compare: one chart per metric, a row per cell ---------------------
compare_charts() {
	"$GB" compare --format tsv "${opts[@]}" "${sides[@]}" >"$tmp/cmp.tsv" \
		2>"$tmp/gb.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		cat "$tmp/gb.err" >&2
		exit $rc
	fi
	awk -F'\t' -v tmp="$tmp" -v delta="$delta" '
	BEGIN {
		rgb["worse"] = 12597547; rgb["better"] = 2600544	# c0392b 27ae60
		rgb["equivalent"] = 3049153				# 2e86c1
	}
	NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["ratio"] == "nan" || $c["ratio"] == "-nan" { next }
	# one replicate a side: no interval, the point alone
	$c["ci_lo"] ~ /nan/ { $c["ci_lo"] = $c["ratio"]; $c["ci_hi"] = $c["ratio"] }
	{
		m = $c["metric"]; f = tmp "/cmp." m ".tsv"
		n[m]++
		col = ($c["verdict"] in rgb) ? rgb[$c["verdict"]] : 9474192	# 909090
		print n[m] "\t" $c["scenario"] " " $c["cell"] ": " $c["verdict"] "\t" $c["ratio"] "\t" $c["ci_lo"] "\t" $c["ci_hi"] "\t" col > f
		if (!(m in lo) || $c["ci_lo"] + 0 < lo[m]) lo[m] = $c["ci_lo"] + 0
		if (!(m in hi) || $c["ci_hi"] + 0 > hi[m]) hi[m] = $c["ci_hi"] + 0
		unit[m] = $c["unit"]; dir[m] = $c["direction"]; file[m] = f
	}
	END {
		for (m in n) {
			close(file[m])
			# the band at 1 +- delta stays in view
			if (lo[m] > 1 - delta) lo[m] = 1 - delta
			if (hi[m] < 1 + delta) hi[m] = 1 + delta
			logx = lo[m] < 0.5 || hi[m] > 2
			pad = logx ? 1.15 : (hi[m] - lo[m]) * 0.06
			print m "\t" unit[m] "\t" dir[m] "\t" file[m] "\t" n[m] "\t" logx "\t" (logx ? lo[m] / pad : lo[m] - pad) "\t" (logx ? hi[m] * pad : hi[m] + pad) > (tmp "/charts")
		}
	}' "$tmp/cmp.tsv"
	[ -s "$tmp/charts" ] || return 0
	local metric unit dir f rows logx xmin xmax better
	sort "$tmp/charts" >"$tmp/charts.sorted"
	while IFS=$'\t' read -r metric unit dir f rows logx xmin xmax; do
		case $dir in
		lower) better="lower is better" ;;
		higher) better="higher is better" ;;
		*) better="no direction" ;;
		esac
		gp compare "compare-$metric" \
			"source_text='data: trials.tsv (guard-bench compare --format tsv)'" \
			"heading=$(heading "$metric ($unit): new/base, grey +-$pct%" "${whose[@]}")" \
			"xlabel_text=$(q "new/base, 95% CI as compare gives it ($better)")" \
			"delta=$delta" "logx=$logx" "xmin=$xmin" "xmax=$xmax" \
			"file=$(q "$f")" "rows=$rows"
	done <"$tmp/charts.sorted"
}

# ---- trend: one chart per scenario and metric, a line per cell ----------
trend_charts() {
	awk -F'\t' -v tmp="$tmp" '
	NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{
		g = $c["scenario"] "." $c["metric"]
		k = g SUBSEP $c["cell"]
		if (!(k in file)) {
			file[k] = tmp "/trend." g "." (++cells[g]) ".tsv"
			print g "\t" $c["unit"] "\t" file[k] "\t" $c["cell"] > (tmp "/lines")
		}
		v = $c["step_verdict"]
		mark = (v == "better" || v == "worse" || v == "changed" || v == "differs")
		# the --label of a run if it has one, else its kernel; E: emulated
		tic = $c["label"]
		if (tic ~ / \(.*\)$/) sub(/ \(.*\)$/, "", tic)
		else tic = $c["kernel_release"] " " $c["guard_path"]
		if ($c["emulation"] != "none") tic = tic " E"
		print $c["order"] "\t" $c["median"] "\t" $c["ci_lo"] "\t" $c["ci_hi"] "\t" tic "\t" mark > file[k]
		if ($c["order"] > nruns) nruns = $c["order"]
		if ($c["emulation"] != "none") emulated = 1
		# the span of the medians of a chart: log y from 2x
		if ($c["median"] == "nan" || $c["median"] + 0 <= 0) nolog[g] = 1
		v = $c["median"]
		if (v != "nan" && v + 0 > 0) {
			if (!(g in lo) || v + 0 < lo[g]) lo[g] = v + 0
			if (!(g in hi) || v + 0 > hi[g]) hi[g] = v + 0
		}
	}
	END {
		print nruns > (tmp "/nruns"); print emulated + 0 > (tmp "/emulated")
		for (g in lo) print g "\t" (hi[g] >= 2 * lo[g] && !(g in nolog)) > (tmp "/logy")
	}' "$tmp/trend.tsv"
	[ -s "$tmp/lines" ] || return 0
	local nruns g unit f cell prev="" punit="" files=() labels=()
	nruns=$(cat "$tmp/nruns")
	flush_trend() {
		[ ${#files[@]} -gt 0 ] || return 0
		local logy note=""
		logy=$(awk -F'\t' -v g="$prev" '$1 == g { print $2 }' "$tmp/logy")
		[ "$(cat "$tmp/emulated")" = 1 ] && note=" (E: emulated)"
		gp trend "trend-$prev" \
			"heading=$(heading "${prev%%.*}: ${prev#*.} across kernels in version order$note" "${whose[@]}")" \
			"source_text='data: trials.tsv (trend --format tsv): median, 95% CI; y $([ "${logy:-0}" = 1 ] && echo "log: medians span 2x+" || echo "linear: medians span < 2x")'" \
			"ylabel_text=$(q "${prev#*.} ($punit), median and 95% CI")" \
			"logy=${logy:-0}" "nruns=$nruns" \
			"$(arr files "${files[@]}")" "$(arr labels "${labels[@]}")"
		files=() labels=()
	}
	# a chart's lines together, its cells in the order runs list them
	sort -s -t$'\t' -k1,1 "$tmp/lines" >"$tmp/lines.sorted"
	while IFS=$'\t' read -r g unit f cell; do
		[ "$g" = "$prev" ] || flush_trend
		prev=$g punit=$unit
		files+=("$f") labels+=("$cell")
	done <"$tmp/lines.sorted"
	flush_trend
}

# ---- one picture of the key plots, one page of them all ----------------
# The key plots are those of the scenarios' primary metrics (guard-bench
# primary): the latency tail of each scenario's first cell for a run,
# the ratio chart of each primary metric for compare, its trend chart
# for trend.  At most six, three to a row.
overview() {
	local keys=() titles=() f sc cell metric seen=" "
	"$GB" primary "${runs[0]}" 2>/dev/null | tail -n +2 >"$tmp/primary" || true
	while IFS=$'\t' read -r sc cell metric _; do
		case $mode in
		run) f="run-tail-$sc.$(echo "$cell" | tr ' =' '_-')" ;;
		compare) f="compare-$metric" ;;
		trend) f="trend-$sc.$metric" ;;
		esac
		[ "$mode" != run ] || case $seen in *" $sc "*) continue ;; esac
		case $seen in *" $f "*) continue ;; esac
		[ -s "$out/$f.png" ] || continue
		seen+="$sc $f "
		keys+=("$out/$f.png") titles+=("$f")
		[ ${#keys[@]} -lt 6 ] || break
	done <"$tmp/primary"
	[ ${#keys[@]} -gt 0 ] || return 0
	if "$GNUPLOT" -e "out=$(q "$out/$mode-overview"); heading=$(heading "$mode: the primary metrics' plots (all: index.html)" "${whose[@]}"); $(arr files "${keys[@]}"); $(arr titles "${titles[@]}")" \
		"${gpdir}overview.gp" 2>"$tmp/gp.err" && [ -s "$out/$mode-overview.png" ]; then
		drawn=$((drawn + 1))
	else
		echo "plot.sh: gnuplot failed on $out/$mode-overview:" >&2
		tail -n 4 "$tmp/gp.err" | sed 's/^/  /' >&2
		failed=1
	fi
}

# index.html: every PNG of the directory, the overviews first, grouped
# by kind (run, compare, trend), each linked to its SVG.
html() { sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g; s/"/\&quot;/g'; }
index_page() {
	local f name kind prev=""
	{
		echo '<!DOCTYPE html><html><head><meta charset="utf-8"><title>guard-bench plots</title>'
		echo '<style>body{font-family:sans-serif}img{border:1px solid #ccc;margin:4px}figure{display:inline-block;margin:4px;font-size:11px;max-width:410px;word-wrap:break-word}</style></head><body>'
		echo "<h1>guard-bench plots in $(printf '%s' "$out" | html)</h1>"
		echo "<p>Written by scripts/plot.sh; the last drawing: $(printf '%s' "$mode ${whose[*]}" | html).</p>"
		for f in "$out"/*-overview.png; do
			[ -e "$f" ] || continue
			name=$(basename "$f" | html)
			echo "<h2>${name%.png}</h2><a href=\"$name\"><img src=\"$name\" width=\"100%\"></a>"
		done
		for f in "$out"/*.png; do
			name=$(basename "$f")
			case $name in *-overview.png) continue ;; esac
			kind=${name%%-*}
			if [ "$kind" != "$prev" ]; then
				echo "<h2>$(printf '%s' "$kind" | html)</h2>"
				prev=$kind
			fi
			name=$(printf '%s' "$name" | html)
			echo "<figure><a href=\"${name%.png}.svg\"><img src=\"$name\" width=\"400\"></a><figcaption>${name%.png}</figcaption></figure>"
		done
		echo '</body></html>'
	} >"$out/index.html.tmp" && mv "$out/index.html.tmp" "$out/index.html"
}

case $mode in
run) cdfs; sweeps ;;
compare) compare_charts; cdfs; sweeps ;;
trend) trend_charts; sweeps ;;
esac
overview
index_page

echo "plot.sh: $drawn plots (PNG and SVG) in $out/, all of them on $out/index.html"
[ "$failed" -eq 0 ] || exit 1
