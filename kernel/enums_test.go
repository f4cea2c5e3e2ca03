package kernel

import (
	"reflect"
	"testing"

	"github.com/surftrace/surftrace/internal/ktest"
)

// Host.Enum answers as the BTF does, and a second Host on the same cache
// answers without loading the BTF.
func TestHostEnumCached(t *testing.T) {
	ktest.RequireBTF(t)
	dir := t.TempDir()
	k := &Host{CacheDir: dir}
	spec, err := k.BTF()
	if err != nil {
		t.Fatal(err)
	}
	want, err := enumByName(spec, "bpf_map_type")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := k.Enum("bpf_map_type"); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Enum = %v, %v; want %v", got, err, want)
	}
	k2 := &Host{CacheDir: dir}
	got, err := k2.Enum("bpf_map_type")
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("cached Enum = %v, %v; want %v", got, err, want)
	}
	if k2.cache != nil {
		t.Error("the cached enum loaded the BTF")
	}
	if _, err := k2.Enum("no_such_enum_here"); err == nil {
		t.Error("no error for an unknown enum")
	}
}
