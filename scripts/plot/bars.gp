# A contender sweep with too few points for a line (2 CPUs: 0 and 1
# faulter): one bar per run at each contender count, its 95% CI of the
# median as a whisker.  Input per run: contenders, median, ci_lo, ci_hi.
#
# Set by scripts/plot.sh: out, gpdir, heading, source_text, xlabel_text
# (which says why bars), ylabel_text, files[], labels[].
load gpdir."common.gp"
set title heading
set xlabel xlabel_text.src
set ylabel ylabel_text
set xtics 1
set yrange [0:*]
set style fill solid 0.55 border -1
n = |files|
w = 0.8 / n
xmin = 1e9; xmax = -1e9
do for [i=1:n] {
	stats files[i] using 1 nooutput
	xmin = STATS_min < xmin ? STATS_min : xmin
	xmax = STATS_max > xmax ? STATS_max : xmax
}
set xrange [xmin - 0.6:xmax + 0.6]
set boxwidth w
set key top left
plot for [i=1:n] files[i] using ($1 + (i - (n + 1) / 2.0) * w):2 with boxes lc i title labels[i], \
     for [i=1:n] files[i] using ($1 + (i - (n + 1) / 2.0) * w):2:3:4 with yerrorbars lc rgb "#303030" pt 7 ps 0.4 lw 1.5 notitle
load gpdir."finish.gp"
