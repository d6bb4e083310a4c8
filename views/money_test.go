package views

import (
	"testing"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// Pages show money exactly as they did when views formatted it with golang.org/x/text's number
// printer (the reference below), now from exact minor units in package money.
func TestMoneyReadsAsTheNumberPrinterWrote(t *testing.T) {
	for _, lang := range Languages {
		p := message.NewPrinter(language.Make(lang))
		reference := func(minor int64, currency string) string {
			switch currency {
			case "JPY", "KRW", "VND", "CLP", "ISK":
				return currency + " " + p.Sprint(number.Decimal(minor))
			}
			return currency + " " + p.Sprint(number.Decimal(float64(minor)/100, number.Scale(2)))
		}
		format := (&Renderer{}).funcs(lang)["money"].(func(int64, string) string)
		for _, cur := range []string{"USD", "EUR", "GBP", "CHF", "JPY", "KRW", "VND", "CLP", "ISK"} {
			for _, minor := range []int64{0, 1, 5, 10, 99, 100, 999, 1000, 99999, 100000, 123456, 1250050, 98765432, 1234567890123, -1, -1250050} {
				if got, want := format(minor, cur), reference(minor, cur); got != want {
					t.Errorf("%s: money %d %s = %q, the number printer wrote %q", lang, minor, cur, got, want)
				}
			}
		}
	}
}
