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
# Which data a plot draws (hist/ or trials.tsv): a line under the x
# label, where the margins make room for it.
src = exists("source_text") ? "\n".source_text : ""
# Markers told apart without colour: filled, open, then other shapes.
marker(i) = word("7 5 9 11 13 4 6 8 10 12", (int(i) - 1) % 10 + 1) + 0
