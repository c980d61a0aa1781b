# A contender sweep: one metric of one cell family against the
# number of contenders, one line per run (kernel), with each run's
# 95% CI of the median as error bars.  Input per run: contenders,
# median, ci_lo, ci_hi.
#
# Set by scripts/plot.sh: out, gpdir, heading, source_text, xlabel_text,
# ylabel_text, files[], labels[].
load gpdir."common.gp"
set title heading
set xlabel xlabel_text.src
set ylabel ylabel_text
set xtics 1
set autoscale xfix
set offsets 0.3, 0.3, 0, 0
set yrange [0:*]

set key top left
plot for [i=1:|files|] files[i] using 1:2:3:4 with yerrorlines lw 2 pt marker(i) ps 1.3 title labels[i]
load gpdir."finish.gp"
