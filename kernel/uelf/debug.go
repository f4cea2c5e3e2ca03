package uelf

import (
	"debug/elf"
	"encoding/hex"
	"path/filepath"
)

// debugDir is where Debian's -dbg packages put detached debug files.
const debugDir = "/usr/lib/debug"

// debugSymbols reads the symbol table of a stripped file's detached
// debug file (libc6-dbg's for libc), found by build id as gdb and bcc
// find it: /usr/lib/debug/.build-id/ab/cdef....debug. It returns no
// symbols when there is none.
func debugSymbols(ef *elf.File) ([]elf.Symbol, error) {
	id := buildID(ef)
	if len(id) < 2 {
		return nil, nil
	}
	h := hex.EncodeToString(id)
	df, err := elf.Open(filepath.Join(debugDir, ".build-id", h[:2], h[2:]+".debug"))
	if err != nil {
		return nil, nil
	}
	defer df.Close()
	return df.Symbols()
}

// buildID returns the GNU build id note's bytes, nil when there is none.
func buildID(ef *elf.File) []byte {
	sec := ef.Section(".note.gnu.build-id")
	if sec == nil {
		return nil
	}
	data, err := sec.Data()
	if err != nil || len(data) < 16 {
		return nil
	}
	bo := ef.ByteOrder
	namesz, descsz, typ := bo.Uint32(data), bo.Uint32(data[4:]), bo.Uint32(data[8:])
	start := 12 + align4(namesz)
	if typ != 3 || start+descsz > uint32(len(data)) {
		return nil
	}
	return data[start : start+descsz]
}
