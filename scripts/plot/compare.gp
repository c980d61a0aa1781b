# compare: ratio new/base of one metric per cell, with the 95% CI
# as whiskers and a grey band at 1 +- delta.  Colour is the
# verdict.  Input rows: index, "cell: verdict", ratio, ci_lo, ci_hi,
# rgb.
#
# Set by scripts/plot.sh: out, gpdir, heading, source_text, xlabel_text, delta,
# logx (1: ratios span more than a factor of 2 either way), xmin,
# xmax, file, rows.
load gpdir."common.gp"
# centred on the page, not on the plot area the cell names push right
set title heading offset screen -0.19, 0
set xlabel xlabel_text.src
set ylabel ""
# the first cell at the top, as in the text table
set yrange [rows + 0.5:0.5]
set ytics scale 0 font "sans,9"
# fixed margins: the long cell names must not push the title off-centre
set lmargin at screen 0.41
set rmargin at screen 0.97
set grid noytics
if (logx) { set logscale x 2 }
set object 1 rect from 1 - delta, graph 0 to 1 + delta, graph 1 behind fc rgb "#e8e8e8" fs solid noborder
set arrow 1 from 1, graph 0 to 1, graph 1 nohead dt 2 lc rgb "#606060"
# each row's label ends with its verdict, the colour repeats it
unset key
set xrange [xmin:xmax]
plot file using 3:1:4:5:6:ytic(2) with xerrorbars pt 7 ps 1.2 lc rgb variable
load gpdir."finish.gp"
