$SHELLPACK_TOPLEVEL/shellpack_src/src/refresh.sh guardbench

run_bench() {
	VERSION_PARAM=
	if [ "$GUARDBENCH_VERSION" != "" ]; then
		VERSION_PARAM="-v $GUARDBENCH_VERSION"
	fi
	QUICK_PARAM=
	if [ "$GUARDBENCH_QUICK" = "yes" ]; then
		QUICK_PARAM=--quick
	fi
	$SHELLPACK_INCLUDE/shellpack-bench-guardbench $VERSION_PARAM $QUICK_PARAM \
		--iterations $GUARDBENCH_ITERATIONS \
		--scenarios $GUARDBENCH_SCENARIOS \
		--budget $GUARDBENCH_BUDGET
	return $?
}
