package config

import (
	"strings"
	"testing"
)

// TestMemoryLimitSetting: the soft memory limit has a default, takes the sizes GOMEMLIMIT takes (and
// decimal ones), yields to GOMEMLIMIT unless set itself, lets the flag win, and names itself when bad.
func TestMemoryLimitSetting(t *testing.T) {
	for _, c := range []struct {
		name string
		env  map[string]string
		args []string
		want int64
	}{
		{"default", nil, nil, 384 << 20},
		{"binary units", map[string]string{"LEADDESK_MEMORY_LIMIT": "1GiB"}, nil, 1 << 30},
		{"decimal units", map[string]string{"LEADDESK_MEMORY_LIMIT": "500MB"}, nil, 500e6},
		{"off", map[string]string{"LEADDESK_MEMORY_LIMIT": "off"}, nil, 0},
		{"GOMEMLIMIT is left to the runtime", map[string]string{"GOMEMLIMIT": "200MiB"}, nil, 0},
		{"ours beats GOMEMLIMIT", map[string]string{"GOMEMLIMIT": "200MiB", "LEADDESK_MEMORY_LIMIT": "300MiB"}, nil, 300 << 20},
		{"flag beats environment", map[string]string{"LEADDESK_MEMORY_LIMIT": "300MiB"}, []string{"-memory-limit", "2GiB"}, 2 << 30},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, _, err := Load("serve", c.args, env(c.env))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.MemoryLimit != c.want {
				t.Errorf("MemoryLimit = %d, want %d", cfg.MemoryLimit, c.want)
			}
		})
	}
	for _, bad := range []string{"lots", "-5MiB", "12 parsecs", "10MiB"} {
		_, _, err := Load("serve", nil, env(map[string]string{"LEADDESK_MEMORY_LIMIT": bad}))
		if err == nil || !strings.Contains(err.Error(), "LEADDESK_MEMORY_LIMIT") {
			t.Errorf("%q: err = %v, want it named", bad, err)
		}
	}
}

// TestGCPercentSetting: the collector's pace has a default, yields to GOGC unless set itself, lets the
// flag win, and names itself when bad.
func TestGCPercentSetting(t *testing.T) {
	for _, c := range []struct {
		name string
		env  map[string]string
		args []string
		want int
	}{
		{"default", nil, nil, 75},
		{"set", map[string]string{"LEADDESK_GC_PERCENT": "100"}, nil, 100},
		{"GOGC is left to the runtime", map[string]string{"GOGC": "200"}, nil, 0},
		{"ours beats GOGC", map[string]string{"GOGC": "200", "LEADDESK_GC_PERCENT": "75"}, nil, 75},
		{"flag beats environment", map[string]string{"LEADDESK_GC_PERCENT": "75"}, []string{"-gc-percent", "60"}, 60},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, _, err := Load("serve", c.args, env(c.env))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.GCPercent != c.want {
				t.Errorf("GCPercent = %d, want %d", cfg.GCPercent, c.want)
			}
		})
	}
	for _, bad := range []string{"lots", "5", "2000", "50%"} {
		_, _, err := Load("serve", nil, env(map[string]string{"LEADDESK_GC_PERCENT": bad}))
		if err == nil || !strings.Contains(err.Error(), "LEADDESK_GC_PERCENT") {
			t.Errorf("%q: err = %v, want it named", bad, err)
		}
	}
}
