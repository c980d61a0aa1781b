# The plot just drawn as PNG, again as SVG (same size and fonts).
set terminal svg size 800,600 noenhanced font "sans,11" linewidth 1.5 background "#ffffff"
set output out.".svg"
replot
unset output
