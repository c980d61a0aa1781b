# Shared by every plot: tab-separated input (cell names hold spaces),
# the PNG terminal at 800x600, names shown as written (no enhanced
# text: metric names are full of underscores).  finish.gp draws the
# same plot again as SVG.
#
# Set by scripts/plot.sh for every script: out (path without the
# extension).
set datafile separator "\t"
set datafile missing "nan"
set terminal pngcairo size 800,600 noenhanced font "sans,11" linewidth 1.5
set output out.".png"
set grid lc rgb "#d8d8d8"
set key noenhanced box opaque
set title noenhanced font "sans,12"
