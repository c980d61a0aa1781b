# Latency CDF of one cell and op (hist/<scenario>.<cell>.<op>.tsv:
# latency_ns, count, cumulative_fraction), one line per run.
#
# Set by scripts/plot.sh: out, gpdir, heading, source_text, files[], labels[].
load gpdir."common.gp"
set title heading
set logscale x 10
set format x "%.0s%c"
set xlabel "latency of one operation (ns, log scale)".src
set ylabel "fraction of operations at or below it"
set yrange [0:1.02]
set ytics 0.1
set key bottom right Left reverse font "sans,9"
plot for [i=1:|files|] files[i] skip 1 using 1:3 with steps lw 2 title labels[i]
load gpdir."finish.gp"
