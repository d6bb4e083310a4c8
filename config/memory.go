package config

import (
	"strconv"
	"strings"
)

// memoryUnits are the suffixes LEADDESK_MEMORY_LIMIT takes, as GOMEMLIMIT spells them, plus the
// decimal ones people type.
var memoryUnits = []struct {
	suffix string
	bytes  int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1},
}

// ParseMemory reads a byte size such as 384MiB, 1GiB, 500MB or 1048576 (bytes); "off" and "0"
// are 0 (no limit).
func ParseMemory(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "off") || s == "0" {
		return 0, true
	}
	mult := int64(1)
	for _, u := range memoryUnits {
		if strings.HasSuffix(strings.ToLower(s), strings.ToLower(u.suffix)) {
			s, mult = strings.TrimSpace(s[:len(s)-len(u.suffix)]), u.bytes
			break
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n <= 0 || n*float64(mult) > 1<<62 {
		return 0, false
	}
	return int64(n * float64(mult)), true
}

// validateMemoryLimit fills MemoryLimit: LEADDESK_MEMORY_LIMIT (or -memory-limit) when given, else
// nothing when GOMEMLIMIT is set (the runtime already applies it), else DefaultMemoryLimit. Below
// 64 MiB the collector would run all the time, so such a value is refused.
func (c *Config) validateMemoryLimit(bad func(env, format string, a ...any)) {
	raw, ok := runtimeSetting(c.memoryLimitRaw, c.goMemLimitSet, DefaultMemoryLimit)
	if !ok {
		c.MemoryLimit = 0
		return
	}
	n, ok := ParseMemory(raw)
	switch {
	case !ok:
		bad("LEADDESK_MEMORY_LIMIT", "%q is not a size such as 384MiB or 1GiB, nor off", raw)
	case n != 0 && n < 64<<20:
		bad("LEADDESK_MEMORY_LIMIT", "%q is below 64MiB, where the server would do little but collect garbage", raw)
	default:
		c.MemoryLimit = n
	}
}

// validateGCPercent fills GCPercent: LEADDESK_GC_PERCENT (or -gc-percent) when given, else nothing when
// GOGC is set (the runtime already applies it), else DefaultGCPercent. A whole number from 10 to 1000:
// below, the server would do little but collect; above, the heap would be several times its data.
func (c *Config) validateGCPercent(bad func(env, format string, a ...any)) {
	raw, ok := runtimeSetting(c.gcPercentRaw, c.goGCSet, DefaultGCPercent)
	if !ok {
		c.GCPercent = 0
		return
	}
	n, err := strconv.Atoi(strings.TrimSpace(raw))
	if err != nil || n < 10 || n > 1000 {
		bad("LEADDESK_GC_PERCENT", "%q is not a whole number from 10 to 1000", raw)
		return
	}
	c.GCPercent = n
}

// runtimeSetting is the value of a setting of the Go runtime's: the one given, else none (false) when
// the runtime's own variable is set (the runtime already applies it), else def.
func runtimeSetting(given string, runtimeSet bool, def string) (string, bool) {
	switch {
	case given != "":
		return given, true
	case runtimeSet:
		return "", false
	default:
		return def, true
	}
}
