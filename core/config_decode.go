package guard

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

var yamlUnmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

// decodeNode decodes a YAML (or JSON) node into v, which must be settable,
// and records every problem — unknown fields, wrong types, bad values — as a
// *FieldError naming its configuration path ("routes[1].rate_limit.window").
// Unlike yaml.v3's own decoder it never stops at the first problem, and it
// names fields rather than only lines.
func decodeNode(n *yaml.Node, v reflect.Value, path string, errs *[]error) {
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) > 0 {
			decodeNode(n.Content[0], v, path, errs)
		}
		return
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		decodeNode(n.Alias, v, path, errs)
		return
	}
	if n.Tag == "!!null" {
		v.Set(reflect.Zero(v.Type()))
		return
	}
	if v.CanAddr() && v.Addr().Type().Implements(yamlUnmarshalerType) {
		if err := n.Decode(v.Addr().Interface()); err != nil {
			*errs = append(*errs, &FieldError{Field: path, Msg: yamlMessage(err)})
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		elem := reflect.New(v.Type().Elem())
		if !v.IsNil() {
			elem.Elem().Set(v.Elem()) // keep defaults of a preset value
		}
		decodeNode(n, elem.Elem(), path, errs)
		v.Set(elem)
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			*errs = append(*errs, &FieldError{Field: orTop(path), Msg: fmt.Sprintf("line %d: must be a mapping", n.Line)})
			return
		}
		fields := yamlFields(v.Type())
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i].Value, n.Content[i+1]
			idx, ok := fields[key]
			if !ok {
				*errs = append(*errs, &FieldError{Field: join(path, key), Msg: fmt.Sprintf("line %d: unknown field", n.Content[i].Line)})
				continue
			}
			decodeNode(val, v.Field(idx), join(path, key), errs)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			*errs = append(*errs, &FieldError{Field: orTop(path), Msg: fmt.Sprintf("line %d: must be a list", n.Line)})
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			decodeNode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i), errs)
		}
		v.Set(s)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			*errs = append(*errs, &FieldError{Field: orTop(path), Msg: fmt.Sprintf("line %d: must be a mapping", n.Line)})
			return
		}
		m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			kn, vn := n.Content[i], n.Content[i+1]
			kp := fmt.Sprintf("%s[%s]", path, strconv.Quote(kn.Value))
			k := reflect.New(v.Type().Key()).Elem()
			if err := kn.Decode(k.Addr().Interface()); err != nil {
				*errs = append(*errs, &FieldError{Field: kp, Msg: "invalid key: " + yamlMessage(err)})
				continue
			}
			val := reflect.New(v.Type().Elem()).Elem()
			decodeNode(vn, val, kp, errs)
			m.SetMapIndex(k, val)
		}
		v.Set(m)
	default:
		if err := n.Decode(v.Addr().Interface()); err != nil {
			*errs = append(*errs, &FieldError{Field: orTop(path), Msg: yamlMessage(err)})
		}
	}
}

// yamlFields maps the YAML names of t's exported fields to their index.
func yamlFields(t reflect.Type) map[string]int {
	m := make(map[string]int, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		m[name] = i
	}
	return m
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func orTop(path string) string {
	if path == "" {
		return "config"
	}
	return path
}

var (
	yamlNoise   = regexp.MustCompile(`^yaml: (unmarshal errors:\s*)?`)
	yamlTypeErr = regexp.MustCompile("^(line \\d+: )?cannot unmarshal !!(\\w+) `(.*)` into (\\S+)$")
)

// humanType names a Go type the way a configuration author thinks of it.
func humanType(goType string) string {
	switch {
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return "an integer"
	case strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.HasPrefix(goType, "map["):
		return "a mapping"
	case strings.HasSuffix(goType, "string") || strings.HasSuffix(goType, "Action") || strings.HasSuffix(goType, "RuleType"):
		return "a string"
	}
	return "a value of type " + goType
}

// yamlMessage strips yaml.v3's prefixes and makes type errors readable.
func yamlMessage(err error) string {
	msg := strings.TrimSpace(yamlNoise.ReplaceAllString(err.Error(), ""))
	msg = strings.ReplaceAll(msg, "\n  ", "; ")
	if m := yamlTypeErr.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("%swant %s, got %q", m[1], humanType(m[4]), m[3])
	}
	return msg
}
