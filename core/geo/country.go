package geo

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidCountry is matched (errors.Is) by every error NormalizeCountry
// and NewPolicy return for a bad country code.
var ErrInvalidCountry = errors.New("invalid country code")

// CountryError describes one rejected country code.
type CountryError struct {
	Code   string // the code as given
	Reason string
}

// Error implements error.
func (e *CountryError) Error() string {
	return fmt.Sprintf("country %q: %s", e.Code, e.Reason)
}

// Is reports whether target is ErrInvalidCountry.
func (e *CountryError) Is(target error) bool { return target == ErrInvalidCountry }

// isoCodes lists the officially assigned ISO 3166-1 alpha-2 codes (249) plus
// XK (Kosovo), which is user-assigned in ISO 3166 but returned by MaxMind and
// IPinfo databases. It is a constant, so the package keeps no mutable state.
const isoCodes = "" +
	"ADAEAFAGAIALAMAOAQARASATAUAWAXAZ" +
	"BABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZ" +
	"CACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZ" +
	"DEDJDKDMDODZ" +
	"ECEEEGEHERESET" +
	"FIFJFKFMFOFR" +
	"GAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGY" +
	"HKHMHNHRHTHU" +
	"IDIEILIMINIOIQIRISIT" +
	"JEJMJOJP" +
	"KEKGKHKIKMKNKPKRKWKYKZ" +
	"LALBLCLILKLRLSLTLULVLY" +
	"MAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZ" +
	"NANCNENFNGNINLNONPNRNUNZ" +
	"OM" +
	"PAPEPFPGPHPKPLPMPNPRPSPTPWPY" +
	"QA" +
	"RERORSRURW" +
	"SASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZ" +
	"TCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZ" +
	"UAUGUMUSUYUZ" +
	"VAVCVEVGVIVNVU" +
	"WFWS" +
	"XK" +
	"YEYT" +
	"ZAZMZW"

// NormalizeCountry validates an ISO 3166-1 alpha-2 country code and returns
// it in upper case ("us " → "US"). Surrounding white space is trimmed. Codes
// that are two letters but not assigned ("ZZ", "UK" — the United Kingdom is
// "GB") are rejected, so a typo in a block list is a config error instead of
// a rule that silently never matches. The returned error matches
// ErrInvalidCountry.
func NormalizeCountry(code string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(code))
	if len(c) != 2 || !isLetter(c[0]) || !isLetter(c[1]) {
		return "", &CountryError{Code: code, Reason: "want an ISO 3166-1 alpha-2 code such as \"US\""}
	}
	if !assigned(c) {
		reason := "not an assigned ISO 3166-1 alpha-2 code"
		if c == "UK" {
			reason += " (the United Kingdom is \"GB\")"
		}
		return "", &CountryError{Code: code, Reason: reason}
	}
	return c, nil
}

// NormalizeCountries validates every code with NormalizeCountry and returns
// them normalised, de-duplicated, in input order. All problems are reported
// at once (errors.Join).
func NormalizeCountries(codes []string) ([]string, error) {
	out := make([]string, 0, len(codes))
	seen := make(map[string]bool, len(codes))
	var errs []error
	for _, c := range codes {
		n, err := NormalizeCountry(c)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	if err := joinErrors(errs); err != nil {
		return nil, err
	}
	return out, nil
}

func isLetter(b byte) bool { return b >= 'A' && b <= 'Z' }

func assigned(c string) bool {
	for i := 0; i+1 < len(isoCodes); i += 2 {
		if isoCodes[i] == c[0] && isoCodes[i+1] == c[1] {
			return true
		}
	}
	return false
}

func joinErrors(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return errors.Join(errs...)
}
