# Run as: awk -v env=NAME -f spark-environment.awk backfill.yaml
# Exits 0 when the environment NAME of the configuration has an engine of type spark, written
# inline (engine: {type: spark, ...}) or as a block (engine:, then type: spark further in), at
# any indentation (each level deeper than the one above it, as YAML nests blocks); 1 otherwise.
# bin/backfill uses it to put Spark's jars on the class path before the JVM starts.
/^environments:/ { inside = 1; names = -1; next }
inside && /^[^ #]/ { inside = 0 }
!inside || /^[ ]*(#|$)/ { next }
{
  match($0, /^ */)
  indent = RLENGTH
  line = substr($0, indent + 1)
  if (names < 0) {
    names = indent
  }
  if (indent == names) {
    name = line
    sub(/:.*/, "", name)
    gsub(/["']/, "", name)
    engine = -1
    next
  }
  if (name != env) {
    next
  }
  if (engine >= 0 && indent <= engine) {
    engine = -1
  }
  if (line ~ /^engine:/) {
    engine = indent
    if (line ~ /[{,] *type: *["']?spark["']? *[,}]/) {
      found = 1
    }
    next
  }
  if (engine >= 0 && line ~ /^type: *["']?spark["']? *(#.*)?$/) {
    found = 1
  }
}
END { exit found ? 0 : 1 }
