package folded

import (
	"strings"
	"testing"
)

func TestFoldedRootFirstCounted(t *testing.T) {
	s := New()
	leafFirst := []string{"__x64_sys_getppid+0x5", "do_syscall_64+0x82", "entry_SYSCALL_64_after_hwframe+0x76"}
	s.Add(nil, leafFirst)
	s.Add(nil, leafFirst)
	s.Add(nil, []string{"veth_xmit+0x10 [veth]", "dev_hard_start_xmit+0x1"})
	s.Add(nil, nil)
	var b strings.Builder
	if _, err := s.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	want := "dev_hard_start_xmit;veth_xmit_[veth] 1\n" +
		"entry_SYSCALL_64_after_hwframe;do_syscall_64;__x64_sys_getppid 2\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
