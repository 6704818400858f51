# Usage: cmake -DOUT=file.c -DSYMBOL=name -DFILES="a;b;c" -P embed.cmake
# Writes a C array `const struct embedded_file SYMBOL[]` (ended by {0}) holding
# each file's base name and bytes, so migrations ship inside the binary.
file(WRITE ${OUT}.tmp "#include \"lib/embed.h\"\n\n")
set(entries "")
set(i 0)
list(SORT FILES)
foreach(f ${FILES})
  get_filename_component(name ${f} NAME)
  file(READ ${f} hex HEX)
  string(LENGTH "${hex}" hexlen)
  math(EXPR len "${hexlen} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  file(APPEND ${OUT}.tmp "static const unsigned char f${i}[] = {${bytes}0x00};\n")
  string(APPEND entries "\t{\"${name}\", (const char *)f${i}, ${len}},\n")
  math(EXPR i "${i} + 1")
endforeach()
file(APPEND ${OUT}.tmp "\nconst struct embedded_file ${SYMBOL}[] = {\n${entries}\t{0, 0, 0},\n};\n")
file(RENAME ${OUT}.tmp ${OUT})
