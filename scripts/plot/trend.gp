# trend: one metric across runs in kernel-version order, one line per
# cell (colour, and a dash pattern from the ninth on) with its 95% CI
# of the median as a band; a circle marks a step from the run before
# that is significant and beyond the threshold.
# Input per cell: order, median, ci_lo, ci_hi, kernel label, marked.
#
# Set by scripts/plot.sh: out, gpdir, heading, source_text,
# ylabel_text, logy (1: the data span 2x or more), nruns, files[],
# labels[].
load gpdir."common.gp"
set title heading
set xlabel (exists("source_text") ? source_text : "") font "sans,9"
set ylabel ylabel_text
set xrange [0.7:nruns + 0.3]
set xtics rotate by 40 right font "sans,9"
# room for the first kernel's slanted name
set lmargin 14
if (logy) { set logscale y 10 } else { set yrange [*:*]; set offsets 0, 0, graph 0.08, graph 0.08 }
set key outside below center horizontal font "sans,9" maxcols 3
# gnuplot takes a function call, not an expression, after dt
dash(i) = (i - 1) / 8 + 1
# bands dense enough to see, whiskers where a band is a sliver, and a
# marker of its own per line: overlapping lines stay apart
plot for [i=1:|files|] files[i] using 1:3:4 with filledcurves fs transparent solid 0.22 noborder lc i notitle, \
     for [i=1:|files|] files[i] using 1:2:3:4 with yerrorbars pt -1 lw 1 lc i notitle, \
     for [i=1:|files|] files[i] using 1:2:xtic(5) with linespoints lw 2 pt marker(i) ps 1.3 lc i dt dash(i) title labels[i], \
     for [i=1:|files|] files[i] using 1:($6 > 0 ? $2 : NaN) with points pt 6 ps 2.5 lw 2 lc rgb "#c0392b" notitle, \
     NaN with points pt 6 ps 2 lw 2 lc rgb "#c0392b" title "marked step"
load gpdir."finish.gp"
