package compiler

import (
	"fmt"
	"strings"
)

// successor is a function that took over from a renamed or replaced one,
// and the Linux release it appeared in.
type successor struct {
	name, since string
}

// renames lists well-known kernel functions that scripts and surftrace's
// own examples still name but newer kernels do not have, with what took
// their place, oldest first. A spelling hint cannot find these. Compiler
// clones (__netif_receive_skb_core.constprop.0) need no entry: ResolveFunc
// attaches to them under the plain name.
var renames = map[string][]successor{
	"do_fork":                {{"kernel_clone", "5.10"}},
	"_do_fork":               {{"kernel_clone", "5.10"}},
	"generic_make_request":   {{"submit_bio_noacct", "5.9"}},
	"__alloc_pages_nodemask": {{"__alloc_pages", "5.13"}, {"__alloc_pages_noprof", "6.10"}},
	"__alloc_pages":          {{"__alloc_pages_noprof", "6.10"}},
	"kfree_skb":              {{"kfree_skb_reason", "5.17"}, {"sk_skb_reason_drop", "6.11"}},
	"kfree_skb_reason":       {{"sk_skb_reason_drop", "6.11"}},
	"do_page_fault":          {{"exc_page_fault", "5.8"}},
	"__do_page_fault":        {{"exc_page_fault", "5.8"}},
	"tcp_drop":               {{"tcp_drop_reason", "6.0"}},
}

// syscallPrefix is what each architecture's syscall wrappers put before
// sys_NAME since Linux 4.17.
var syscallPrefix = map[string]string{"x86_64": "__x64_", "amd64": "__x64_", "": "__x64_", "arm64": "__arm64_", "aarch64": "__arm64_"}

// renameHint names the function that replaced name in this kernel, or ""
// when name is not a known rename or no successor exists here.
func (ki *kinfo) renameHint(name string) string {
	succ := renames[name]
	if strings.HasPrefix(name, "sys_") {
		succ = []successor{{syscallPrefix[ki.k.Arch()] + name, "4.17"}}
	}
	for i := len(succ) - 1; i >= 0; i-- {
		s := succ[i]
		if _, ok := ki.resolveFunc(s.name); ok {
			return fmt.Sprintf("did you mean %s? it took over from %s in Linux %s", s.name, name, s.since)
		}
	}
	return ""
}
