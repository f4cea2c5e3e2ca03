package netobj

import (
	"bytes"
	"net"
	"strings"
)

// devName names device ifindex of the calling thread's namespace.
func devName(ifindex int) (string, error) {
	ifi, err := net.InterfaceByIndex(ifindex)
	if err != nil {
		return "", err
	}
	return ifi.Name, nil
}

// replaceDev puts dev for the DEV part of a dotted key.
func replaceDev(key, dev string) string {
	parts := strings.Split(key, ".")
	for i, p := range parts {
		if p == "DEV" {
			parts[i] = dev
		}
	}
	return strings.Join(parts, ".")
}

// dotsToSlashes turns a dotted key into its /proc/sys path; a device name
// with dots (vlan devices) is not supported.
func dotsToSlashes(key string) string { return strings.ReplaceAll(key, ".", "/") }

func trimNL(b []byte) []byte { return bytes.TrimRight(b, "\n") }
