package tracefs

import (
	"encoding/binary"
	"reflect"
	"strings"
	"testing"
)

// The ring-buffer headers as Debian's 6.1 and the host's 6.18 describe
// them (the same text on both).
const (
	headerPage61 = "\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n" +
		"\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n" +
		"\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n" +
		"\tfield: char data;\toffset:16;\tsize:4080;\tsigned:0;\n"
	headerEvent61 = "# compressed entry header\n\ttype_len    :    5 bits\n\ttime_delta  :   27 bits\n\tarray       :   32 bits\n\n" +
		"\tpadding     : type == 29\n\ttime_extend : type == 30\n\ttime_stamp : type == 31\n\tdata max type_len  == 28\n"
)

func testLayout(t testing.TB) *ringLayout {
	t.Helper()
	l, err := parseRingLayout(headerPage61, headerEvent61)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// pageBuilder writes ring-buffer entries as the kernel does
// (ring_buffer.c rb_update_event, rb_add_time_stamp).
type pageBuilder struct{ data []byte }

func (b *pageBuilder) word(v uint32) { b.data = binary.LittleEndian.AppendUint32(b.data, v) }

// event adds a data entry: type_len words for payloads up to 112 bytes,
// else type_len 0 with the length in array[0]; payloads are padded to 4.
func (b *pageBuilder) event(delta uint32, payload []byte, long bool) {
	n := (len(payload) + 3) &^ 3
	if !long && n <= 28*4 {
		b.word(uint32(n/4) | delta<<5)
	} else {
		b.word(delta << 5)
		b.word(uint32(n + 4))
	}
	b.data = append(b.data, payload...)
	b.data = append(b.data, make([]byte, n-len(payload))...)
}

// padding adds a discarded entry of n bytes after its two words.
func (b *pageBuilder) padding(delta uint32, n int) {
	b.word(29 | delta<<5)
	b.word(uint32(n + 4))
	b.data = append(b.data, make([]byte, n)...)
}

func (b *pageBuilder) extend(delta uint64) {
	b.word(30 | uint32(delta&(1<<27-1))<<5)
	b.word(uint32(delta >> 27))
}

func (b *pageBuilder) stamp(abs uint64) {
	b.word(31 | uint32(abs&(1<<27-1))<<5)
	b.word(uint32(abs >> 27))
}

// page returns the page: header (time, commit with flags), data, and the
// lost count after the data when flags say it is stored.
func (b *pageBuilder) page(ts, flags, lost uint64) []byte {
	p := make([]byte, 4096)
	binary.LittleEndian.PutUint64(p, ts)
	binary.LittleEndian.PutUint64(p[8:], uint64(len(b.data))|flags)
	copy(p[16:], b.data)
	if flags&missedStored != 0 {
		binary.LittleEndian.PutUint64(p[16+len(b.data):], lost)
	}
	return p
}

type decoded struct {
	TS  uint64
	Rec string
}

func decodeAll(t *testing.T, l *ringLayout, page []byte) ([]decoded, pageInfo, error) {
	t.Helper()
	var got []decoded
	info, err := l.decodePage(page, func(ts uint64, rec []byte) {
		got = append(got, decoded{ts, strings.TrimRight(string(rec), "\x00")})
	})
	return got, info, err
}

// TestDecodePage decodes hand-built pages: time deltas, padding (a
// discarded event), a time extend, an absolute stamp, a long entry with
// its length in array[0], a null entry ending the page, missed events.
func TestDecodePage(t *testing.T) {
	l := testLayout(t)
	if l.pageSize() != 4096 {
		t.Errorf("page size %d", l.pageSize())
	}
	long := strings.Repeat("L", 200)
	for _, tc := range []struct {
		name  string
		build func(b *pageBuilder)
		ts    uint64
		flags uint64
		lost  uint64
		want  []decoded
		info  pageInfo
	}{{
		name: "deltas",
		build: func(b *pageBuilder) {
			b.event(0, []byte("aaaa"), false)
			b.event(5, []byte("bbbbbb"), false)
			b.event(7, []byte("c"), true)
		},
		ts:   1000,
		want: []decoded{{1000, "aaaa"}, {1005, "bbbbbb"}, {1012, "c"}},
	}, {
		name: "padding keeps the clock",
		build: func(b *pageBuilder) {
			b.event(1, []byte("aaaa"), false)
			b.padding(9, 24)
			b.event(2, []byte("bbbb"), false)
		},
		ts:   100,
		want: []decoded{{101, "aaaa"}, {103, "bbbb"}},
	}, {
		name: "time extend and long entry",
		build: func(b *pageBuilder) {
			b.event(0, []byte("aaaa"), false)
			b.extend(3 << 30)
			b.event(4, []byte(long), false)
		},
		ts:   50,
		want: []decoded{{50, "aaaa"}, {50 + 3<<30 + 4, long}},
	}, {
		name: "absolute stamp",
		build: func(b *pageBuilder) {
			b.event(0, []byte("aaaa"), false)
			b.stamp(123456789012)
			b.event(10, []byte("bbbb"), false)
		},
		ts:   7,
		want: []decoded{{7, "aaaa"}, {123456789022, "bbbb"}},
	}, {
		name: "null entry ends the page",
		build: func(b *pageBuilder) {
			b.event(0, []byte("aaaa"), false)
			b.padding(0, 8)
			b.event(0, []byte("never"), false)
		},
		ts:   1,
		want: []decoded{{1, "aaaa"}},
	}, {
		name:  "missed events, counted",
		build: func(b *pageBuilder) { b.event(0, []byte("aaaa"), false) },
		ts:    1, flags: missedEvents | missedStored, lost: 42,
		want: []decoded{{1, "aaaa"}},
		info: pageInfo{Missed: true, Lost: 42},
	}, {
		name:  "missed events, uncounted",
		build: func(b *pageBuilder) { b.event(0, []byte("aaaa"), false) },
		ts:    1, flags: missedEvents,
		want: []decoded{{1, "aaaa"}},
		info: pageInfo{Missed: true},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			var b pageBuilder
			tc.build(&b)
			got, info, err := decodeAll(t, l, b.page(tc.ts, tc.flags, tc.lost))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("records %v, want %v", got, tc.want)
			}
			if info != tc.info {
				t.Errorf("page info %+v, want %+v", info, tc.info)
			}
		})
	}
}

// TestDecodePageErrors: a page that lies about its sizes is an error, not
// a read past its end.
func TestDecodePageErrors(t *testing.T) {
	l := testLayout(t)
	var b pageBuilder
	b.event(0, []byte("aaaa"), false)
	p := b.page(1, 0, 0)
	binary.LittleEndian.PutUint64(p[8:], 5000)
	if _, _, err := decodeAll(t, l, p); err == nil {
		t.Error("a commit past the page decoded")
	}
	b = pageBuilder{}
	b.word(0)
	b.word(4000) // a long entry longer than the data
	if _, _, err := decodeAll(t, l, b.page(1, 0, 0)); err == nil {
		t.Error("an entry past the data decoded")
	}
	if _, _, err := decodeAll(t, l, make([]byte, 8)); err == nil {
		t.Error("a page shorter than its header decoded")
	}
}

// TestRingLayoutFromFiles: the layout comes from the files, so another
// one (a 4-byte commit at another offset, other type numbers) is read as
// described, and one this reader cannot decode is refused.
func TestRingLayoutFromFiles(t *testing.T) {
	hp := "\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n" +
		"\tfield: local_t commit;\toffset:8;\tsize:4;\tsigned:1;\n" +
		"\tfield: char data;\toffset:12;\tsize:8180;\tsigned:0;\n"
	he := strings.NewReplacer("type == 29", "type == 25", "type == 30", "type == 26", "type == 31", "type == 27", "== 28", "== 24").Replace(headerEvent61)
	l, err := parseRingLayout(hp, he)
	if err != nil {
		t.Fatal(err)
	}
	if l.commit.Offset != 8 || l.commit.Size != 4 || l.data.Offset != 12 || l.pageSize() != 8192 ||
		l.padding != 25 || l.extend != 26 || l.stamp != 27 || l.maxData != 24 {
		t.Errorf("layout %+v", l)
	}
	if _, err := parseRingLayout(hp, strings.Replace(headerEvent61, "27 bits", "26 bits", 1)); err == nil {
		t.Error("a header of 31 bits accepted")
	}
	if _, err := parseRingLayout(strings.Replace(hp, "commit", "other", 1), headerEvent61); err == nil {
		t.Error("a page header without commit accepted")
	}
}
