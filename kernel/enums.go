package kernel

import (
	"errors"

	"github.com/cilium/ebpf/btf"
)

// EnumResolver is a Kernel that finds an enum of vmlinux by name without
// loading all of its BTF when it can (Host keeps the enums it was asked
// for on disk): a tracepoint field typed `enum skb_drop_reason` then costs
// no BTF parse at start.
type EnumResolver interface {
	// Enum returns vmlinux's enum name (an `enum NAME`, not a
	// typedef), or an error wrapping btf.ErrNotFound, or
	// btf.ErrNotSupported without BTF.
	Enum(name string) (*btf.Enum, error)
}

// cachedEnum is an enum as the enums section of the on-disk cache keeps
// it.
type cachedEnum struct {
	Size   uint32   `json:"size"`
	Signed bool     `json:"signed"`
	Names  []string `json:"names"`
	Values []uint64 `json:"values"`
}

// Enum returns the enum called name from the cache when it holds it for
// this kernel's BTF, else from the BTF, and then caches it.
func (k *Host) Enum(name string) (*btf.Enum, error) {
	dc := k.disk()
	key := dc.keyBTF()
	if k.enums == nil || k.enumKey != key {
		k.enums, k.enumKey = map[string]cachedEnum{}, key
		if !dc.load("enums", key, &k.enums) || k.enums == nil {
			k.enums = map[string]cachedEnum{}
		}
	}
	if c, ok := k.enums[name]; ok && len(c.Names) == len(c.Values) {
		en := &btf.Enum{Name: name, Size: c.Size, Signed: c.Signed}
		for i, n := range c.Names {
			en.Values = append(en.Values, btf.EnumValue{Name: n, Value: c.Values[i]})
		}
		return en, nil
	}
	spec, err := k.BTF()
	if err != nil {
		return nil, err
	}
	en, err := enumByName(spec, name)
	if err != nil {
		return nil, err
	}
	c := cachedEnum{Size: en.Size, Signed: en.Signed, Names: []string{}, Values: []uint64{}}
	for _, v := range en.Values {
		c.Names, c.Values = append(c.Names, v.Name), append(c.Values, v.Value)
	}
	k.enums[name] = c
	dc.store("enums", key, k.enums)
	return en, nil
}

// enumByName finds enum name in spec, the first of several when a struct
// or typedef shares its name.
func enumByName(spec *btf.Spec, name string) (*btf.Enum, error) {
	var en *btf.Enum
	err := spec.TypeByName(name, &en)
	if errors.Is(err, btf.ErrMultipleMatches) {
		types, _ := spec.AnyTypesByName(name)
		for _, t := range types {
			if e, ok := t.(*btf.Enum); ok {
				return e, nil
			}
		}
	}
	return en, err
}
