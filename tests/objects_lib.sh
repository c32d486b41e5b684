# objects_lib.sh: the objects of this tree's sources, for tools/depcycles.
# Source after lib.sh and tmpdir.
# shellcheck shell=sh

# link_objects DIR: symlinks under DIR to the objects of the sources that
# exist (a build dir may keep objects of files since removed), as automake
# names them: [TARGET-]FILE.o
link_objects() {
	(cd "$top_builddir" && find src -name '*.o') | while read -r o; do
		b=${o##*/}
		case $b in *-*) b=${b#*-} ;; esac
		[ -f "$top_srcdir/${o%/*}/${b%.o}.c" ] || continue
		mkdir -p "$1/${o%/*}"
		ln -s "$top_builddir/$o" "$1/$o"
	done
}
