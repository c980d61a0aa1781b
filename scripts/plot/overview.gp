# One picture of a plot directory's key plots (a montage without
# ImageMagick): the PNGs in files[], three to a row, each titled by
# its file name.
#
# Set by scripts/plot.sh: out, gpdir, heading, files[], titles[].
n = |files|
cols = n < 3 ? n : 3
rows = (n + cols - 1) / cols
set terminal pngcairo size 600 * cols, 450 * rows + 40 noenhanced font "sans,10"
set output out.".png"
unset key
unset tics
unset border
set size ratio -1
set multiplot layout rows, cols title heading font "sans,13"
do for [i=1:n] {
	set title titles[i] font "sans,9" offset 0, -0.5
	set margins 0, 0, 0, 1.5
	plot files[i] binary filetype=png with rgbimage
}
unset multiplot
unset output
