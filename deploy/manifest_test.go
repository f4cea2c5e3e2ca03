// Package deploy holds the container image build (../Dockerfile) and the
// Kubernetes DaemonSet that runs surftrace on every node; its test checks
// the manifest against the Kubernetes API types.
package deploy

import (
	"errors"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/surftrace/surftrace/stdlib"
)

// readDaemonSet decodes daemonset.yaml strictly, as the API server does:
// an unknown or misspelt field (also in case only: readonly), or one given
// twice, is an error.
func readDaemonSet(t *testing.T) *appsv1.DaemonSet {
	t.Helper()
	b, err := os.ReadFile("daemonset.yaml")
	if err != nil {
		t.Fatal(err)
	}
	j, err := yaml.YAMLToJSONStrict(b)
	if err != nil {
		t.Fatalf("daemonset.yaml: %v", err)
	}
	var ds appsv1.DaemonSet
	strict, err := kjson.UnmarshalStrict(j, &ds)
	if err == nil {
		err = errors.Join(strict...)
	}
	if err != nil {
		t.Fatalf("daemonset.yaml: %v", err)
	}
	if ds.APIVersion != "apps/v1" || ds.Kind != "DaemonSet" {
		t.Fatalf("daemonset.yaml is %s %s, want apps/v1 DaemonSet", ds.APIVersion, ds.Kind)
	}
	return &ds
}

// TestDaemonSet checks what surftrace needs from the pod: the
// capabilities, the kernel mounts, and metrics ports that match each
// container's --metrics flag and the scrape annotation.
func TestDaemonSet(t *testing.T) {
	ds := readDaemonSet(t)
	pod := ds.Spec.Template
	for k, v := range ds.Spec.Selector.MatchLabels {
		if pod.Labels[k] != v {
			t.Errorf("selector %s=%s does not match the template's labels %v", k, v, pod.Labels)
		}
	}
	volumes := map[string]corev1.Volume{}
	for _, v := range pod.Spec.Volumes {
		volumes[v.Name] = v
	}
	var ports []string
	if len(pod.Spec.Containers) == 0 {
		t.Fatal("no containers")
	}
	for _, c := range pod.Spec.Containers {
		port := checkContainer(t, c, volumes, pod.Spec.HostNetwork)
		ports = append(ports, port)
	}
	a := pod.Annotations
	if a["prometheus.io/scrape"] != "true" || a["prometheus.io/path"] != "/metrics" || !slices.Contains(ports, a["prometheus.io/port"]) {
		t.Errorf("scrape annotations %v: want scrape \"true\", path /metrics and one of the metrics ports %v", a, ports)
	}
}

// checkContainer checks one container and returns its metrics port.
func checkContainer(t *testing.T, c corev1.Container, volumes map[string]corev1.Volume, hostNetwork bool) string {
	t.Helper()
	i := slices.Index(c.Args, "--metrics")
	if i < 0 || i+1 >= len(c.Args) {
		t.Fatalf("%s: args %q have no --metrics ADDR", c.Name, c.Args)
	}
	_, port, ok := strings.Cut(c.Args[i+1], ":")
	n, err := strconv.Atoi(port)
	if !ok || err != nil {
		t.Fatalf("%s: --metrics %q is not [HOST]:PORT", c.Name, c.Args[i+1])
	}
	if j := slices.Index(c.Args, "run"); j < 0 || j+1 >= len(c.Args) {
		t.Errorf("%s: args %q run no stdlib script", c.Name, c.Args)
	} else if _, ok := stdlib.Get(c.Args[j+1]); !ok {
		t.Errorf("%s: no stdlib script %q", c.Name, c.Args[j+1])
	}
	declared := false
	for _, p := range c.Ports {
		if int(p.ContainerPort) == n {
			declared = true
			if !strings.HasPrefix(p.Name, "metrics-") || p.Protocol != corev1.ProtocolTCP {
				t.Errorf("%s: port %d is %q/%s, want a metrics-* name and TCP (docs/fleet.md's scrape config keys on it)", c.Name, n, p.Name, p.Protocol)
			}
			if hostNetwork && p.HostPort != 0 && p.HostPort != p.ContainerPort {
				t.Errorf("%s: hostPort %d != containerPort %d under hostNetwork", c.Name, p.HostPort, p.ContainerPort)
			}
		}
	}
	if !declared {
		t.Errorf("%s: --metrics port %d is not a declared container port %v", c.Name, n, c.Ports)
	}
	if c.LivenessProbe == nil || c.LivenessProbe.HTTPGet == nil || c.LivenessProbe.HTTPGet.Port.IntValue() != n {
		t.Errorf("%s: liveness probe does not ask the metrics port %d", c.Name, n)
	}

	sc := c.SecurityContext
	if sc == nil || sc.Capabilities == nil {
		t.Fatalf("%s: no capabilities", c.Name)
	}
	if sc.Privileged != nil && *sc.Privileged {
		t.Errorf("%s: privileged; the capabilities are enough", c.Name)
	}
	if !slices.Contains(sc.Capabilities.Drop, "ALL") {
		t.Errorf("%s: capabilities drop %v, want ALL", c.Name, sc.Capabilities.Drop)
	}
	for _, want := range []corev1.Capability{"BPF", "PERFMON", "NET_ADMIN", "SYS_RESOURCE"} {
		if !slices.Contains(sc.Capabilities.Add, want) {
			t.Errorf("%s: capabilities %v lack %s", c.Name, sc.Capabilities.Add, want)
		}
	}
	if slices.Contains(sc.Capabilities.Add, "SYS_ADMIN") {
		t.Errorf("%s: SYS_ADMIN is only for kernels < 5.8 (docs/fleet.md)", c.Name)
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Errorf("%s: root filesystem not read-only", c.Name)
	}

	lim := c.Resources.Limits
	if lim.Cpu().IsZero() || lim.Memory().IsZero() {
		t.Errorf("%s: limits %v, want cpu and memory", c.Name, lim)
	}

	for _, path := range []string{"/sys/kernel/btf", "/sys/kernel/tracing", "/sys/kernel/debug"} {
		checkHostMount(t, c, volumes, path)
	}
	return port
}

// checkHostMount checks that path is mounted read-only from the host's
// same path.
func checkHostMount(t *testing.T, c corev1.Container, volumes map[string]corev1.Volume, path string) {
	t.Helper()
	for _, m := range c.VolumeMounts {
		if m.MountPath != path {
			continue
		}
		v, ok := volumes[m.Name]
		if !ok || v.HostPath == nil || v.HostPath.Path != path {
			t.Errorf("%s: %s is not the host's %s", c.Name, path, path)
		}
		if !m.ReadOnly {
			t.Errorf("%s: %s is mounted writable", c.Name, path)
		}
		return
	}
	t.Errorf("%s: %s is not mounted", c.Name, path)
}

// TestDockerfile: a static build on the go.mod's Go version, and a final
// image without a shell.
func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	froms := regexp.MustCompile(`(?m)^FROM (\S+)`).FindAllStringSubmatch(text, -1)
	if len(froms) < 2 {
		t.Fatalf("Dockerfile has %d stages, want a build stage and a final one", len(froms))
	}
	final := froms[len(froms)-1][1]
	if final != "scratch" && !strings.HasPrefix(final, "gcr.io/distroless/static") {
		t.Errorf("final image %s, want scratch or distroless/static (no shell)", final)
	}
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(mod)
	if goVersion == nil || !strings.HasPrefix(froms[0][1], "golang:"+string(goVersion[1])) {
		t.Errorf("build stage %s, want golang:%s as go.mod says", froms[0][1], goVersion[1])
	}
	if !strings.Contains(text, "CGO_ENABLED=0") {
		t.Error("the build is not static (CGO_ENABLED=0)")
	}
	if !regexp.MustCompile(`(?m)^ENTRYPOINT \["/surftrace"\]`).MatchString(text) {
		t.Error("ENTRYPOINT is not the exec form [\"/surftrace\"] (there is no shell)")
	}
}
