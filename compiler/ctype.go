package compiler

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// cIntegers are the integer type names a cast may use without BTF.
var cIntegers = makeCIntegers()

func makeCIntegers() map[string]*btf.Int {
	ints := map[string]*btf.Int{}
	add := func(size uint32, signed bool, names ...string) {
		enc := btf.Unsigned
		if signed {
			enc = btf.Signed
		}
		for _, n := range names {
			ints[n] = &btf.Int{Name: n, Size: size, Encoding: enc}
		}
	}
	add(1, false, "u8", "__u8", "uint8_t", "unsigned char", "__be8")
	add(2, false, "u16", "__u16", "uint16_t", "unsigned short", "unsigned short int", "__be16", "__le16")
	add(4, false, "u32", "__u32", "uint32_t", "unsigned int", "unsigned", "__be32", "__le32")
	add(8, false, "u64", "__u64", "uint64_t", "unsigned long", "unsigned long int", "unsigned long long",
		"unsigned long long int", "size_t", "uintptr_t", "__be64", "__le64")
	add(1, true, "s8", "__s8", "int8_t", "signed char")
	add(2, true, "s16", "__s16", "int16_t", "short", "short int", "signed short")
	add(4, true, "s32", "__s32", "int32_t", "int", "signed int", "signed")
	add(8, true, "s64", "__s64", "int64_t", "long", "long int", "long long", "long long int",
		"signed long", "ssize_t", "intptr_t")
	ints["char"] = &btf.Int{Name: "char", Size: 1, Encoding: btf.Char}
	ints["bool"] = &btf.Int{Name: "bool", Size: 1, Encoding: btf.Bool}
	ints["_Bool"] = &btf.Int{Name: "_Bool", Size: 1, Encoding: btf.Bool}
	return ints
}

// u64Type is the type of untyped 64-bit values (registers, addresses).
var u64Type = cIntegers["u64"]

// under strips typedefs and qualifiers.
func under(t btf.Type) btf.Type { return btf.UnderlyingType(t) }

// sizeof returns t's size in bytes, 8 for anything unsized.
func sizeof(t btf.Type) int {
	n, err := btf.Sizeof(t)
	if err != nil {
		return 8
	}
	return n
}

// isInteger reports whether t is an integer, bool or enum.
func isInteger(t btf.Type) bool {
	switch under(t).(type) {
	case *btf.Int, *btf.Enum:
		return true
	}
	return false
}

// isSigned reports whether t is a signed integer or enum.
func isSigned(t btf.Type) bool {
	switch u := under(t).(type) {
	case *btf.Int:
		return u.Encoding == btf.Signed
	case *btf.Enum:
		return u.Signed
	}
	return false
}

// isPointer reports whether t is a pointer.
func isPointer(t btf.Type) bool {
	_, ok := under(t).(*btf.Pointer)
	return ok
}

// isChar reports whether t is a one-byte integer (char, u8, s8).
func isChar(t btf.Type) bool {
	i, ok := under(t).(*btf.Int)
	return ok && i.Size == 1 && i.Encoding != btf.Bool
}

// isCharArray reports whether t is an array of chars.
func isCharArray(t btf.Type) bool {
	a, ok := under(t).(*btf.Array)
	return ok && isChar(a.Type)
}

// isCharPtr reports whether t is a pointer to char.
func isCharPtr(t btf.Type) bool {
	p, ok := under(t).(*btf.Pointer)
	return ok && isChar(p.Target)
}

// isUserPtr reports whether t points into user memory: its target carries
// the "user" type tag (the kernel's __user in BTF, or a syscall argument).
func isUserPtr(t btf.Type) bool { return ptrTagged(t, "user") }

// isKernelPtr reports whether t points into kernel memory in a probe
// whose pointers are otherwise user memory (a uprobe): curtask, kptr(),
// and the pointers read through them carry the "kernel" type tag.
func isKernelPtr(t btf.Type) bool { return ptrTagged(t, "kernel") }

// kernelPtr tags pointer t as pointing into kernel memory.
func kernelPtr(t btf.Type) btf.Type {
	p, ok := under(t).(*btf.Pointer)
	if !ok || isUserPtr(t) || isKernelPtr(t) {
		return t
	}
	return &btf.Pointer{Target: &btf.TypeTag{Value: "kernel", Type: p.Target}}
}

// ptrTagged reports whether t is a pointer whose target carries the
// type tag tag.
func ptrTagged(t btf.Type, tag string) bool {
	p, ok := under(t).(*btf.Pointer)
	if !ok {
		return false
	}
	for t := p.Target; t != nil; {
		switch x := t.(type) {
		case *btf.TypeTag:
			if x.Value == tag {
				return true
			}
			t = x.Type
		case *btf.Const:
			t = x.Type
		case *btf.Volatile:
			t = x.Type
		case *btf.Restrict:
			t = x.Type
		default:
			return false
		}
	}
	return false
}

// isScalar reports whether a value of type t fits in a register.
func isScalar(t btf.Type) bool { return isInteger(t) || isPointer(t) }

// resolveType finds the type a cast names: a C integer, or a BTF struct,
// union, enum or typedef, with Ptr levels of pointer on top.
func resolveType(spec *btf.Spec, tag, name string, ptr int) (btf.Type, error) {
	var t btf.Type
	if i, ok := cIntegers[name]; ok && tag == "" {
		t = i
	} else if name == "void" && tag == "" {
		t = &btf.Void{}
	} else {
		var err error
		t, err = lookupNamed(spec, tag, name)
		if err != nil {
			return nil, err
		}
	}
	for range ptr {
		t = &btf.Pointer{Target: t}
	}
	return t, nil
}

// lookupNamed finds a named BTF type of the kind tag says ("" for a
// typedef or integer).
func lookupNamed(spec *btf.Spec, tag, name string) (btf.Type, error) {
	if spec == nil {
		return nil, fmt.Errorf("unknown type %s (no kernel BTF)", strings.TrimSpace(tag+" "+name))
	}
	var err error
	switch tag {
	case "struct":
		var s *btf.Struct
		if err = spec.TypeByName(name, &s); err == nil {
			return s, nil
		}
	case "union":
		var u *btf.Union
		if err = spec.TypeByName(name, &u); err == nil {
			return u, nil
		}
	case "enum":
		var e *btf.Enum
		if err = spec.TypeByName(name, &e); err == nil {
			return e, nil
		}
	default:
		var td *btf.Typedef
		if err = spec.TypeByName(name, &td); err == nil {
			return td, nil
		}
		var i *btf.Int
		if err = spec.TypeByName(name, &i); err == nil {
			return i, nil
		}
	}
	if errors.Is(err, btf.ErrMultipleMatches) {
		types, _ := spec.AnyTypesByName(name)
		for _, t := range types {
			if tagOf(t) == tag {
				return t, nil
			}
		}
	}
	return nil, fmt.Errorf("unknown type %s", strings.TrimSpace(tag+" "+name))
}

// tagOf returns "struct", "union", "enum" or "" for t.
func tagOf(t btf.Type) string {
	switch t.(type) {
	case *btf.Struct:
		return "struct"
	case *btf.Union:
		return "union"
	case *btf.Enum:
		return "enum"
	}
	return ""
}

// splitTag splits "struct sk_buff" into its tag and name.
func splitTag(s string) (tag, name string) {
	for _, t := range []string{"struct ", "union ", "enum "} {
		if strings.HasPrefix(s, t) {
			return strings.TrimSpace(t), strings.TrimSpace(s[len(t):])
		}
	}
	return "", s
}
