# One machine-readable line per measure, which bench/run-all gathers into its table:
#   result MEASURE OURS UNIT PEER PEER_VALUE higher|lower
# The ratio says how many times better than the peer we are (above 1: better), whichever way
# "better" points for the measure. A measure without a peer passes "-" for PEER and PEER_VALUE.
result() {
  local measure=$1 ours=$2 unit=$3 peer=$4 peer_value=$5 better=$6 ratio=-
  if [ "$peer_value" != "-" ]; then
    ratio=$(awk -v a="$ours" -v b="$peer_value" -v w="$better" 'BEGIN { if (a == 0 || b == 0) print "-"; else printf "%.2f", (w == "higher" ? a / b : b / a) }')
  fi
  printf 'result\t%s\t%s\t%s\t%s\t%s\t%s\n' "$measure" "$ours" "$unit" "$peer" "$peer_value" "$ratio"
}
