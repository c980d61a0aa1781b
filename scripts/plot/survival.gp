# Latency tail of one cell: the fraction of operations that took at
# least x, on log-log axes, so p99 to the maximum is as wide as p0 to
# p90.  One line per run and op (install and remove together), each in
# a colour of its own, the dash pattern saying which op.  Input:
# hist/<scenario>.<cell>.<op>.tsv (latency_ns, count,
# cumulative_fraction).
#
# Set by scripts/plot.sh: out, gpdir, heading, source_text, files[],
# labels[], ops[] (each file's op, 1..: its dash pattern).
load gpdir."common.gp"
set title heading
set logscale x 10
set logscale y 10
set format x "%.0s%c"
set format y "%g"
set xlabel "latency of one operation (ns, log scale)".src
set ylabel "fraction of operations taking at least this long (log)"
set mytics 10
set grid xtics ytics mytics lc rgb "#e4e4e4"
set key bottom left Left reverse font "sans,9"
# P(X >= x_i) = 1 - F(x_{i-1}): the slowest operation stays in view at 1/N
plot for [i=1:|files|] files[i] skip 1 using 1:(s = ($0 == 0 ? 1 : 1 - prev), prev = $3, s) \
	with steps lw 2 lc i dt int(ops[i]) title labels[i]
load gpdir."finish.gp"
