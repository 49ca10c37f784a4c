{{- /* A value as cdk8s-linkerd writes it (src/helm/yaml.ts): plain, a literal block, or JSON. */ -}}
{{- define "cdk8s-linkerd.scalar" -}}
{{- $v := index . 0 -}}
{{- if not (kindIs "string" $v) -}}
{{- toJson $v -}}
{{- else if and (regexMatch "^[A-Za-z/]([-A-Za-z0-9_./%@+=~()]*(:[-A-Za-z0-9_./%@+=~()]+)*)( [-A-Za-z0-9_./%@+=~()]+(:[-A-Za-z0-9_./%@+=~()]+)*)*$" $v) (not (regexMatch "(?i)^(y|n|yes|no|on|off|true|false|null)$" $v)) -}}
{{- $v -}}
{{- else if and (regexMatch "^[0-9][-A-Za-z0-9_./%+]*$" $v) (regexMatch "[g-nqrsuvwyG-NQRSUVWY%/]" $v) -}}
{{- $v -}}
{{- else if and (contains "\n" $v) (regexMatch "^[^ \\t\\n][^\\x00-\\x08\\x0b-\\x1f\\x7f\\x{0085}\\x{2028}\\x{2029}\\x{feff}]*$" $v) (not (regexMatch "(^|\\n)[ \\t]+(\\n|$)|\\n\\n$" $v)) -}}
{{- ternary "|" "|-" (hasSuffix "\n" $v) -}}
{{- regexReplaceAll "\n([^\n])" (printf "\n%s" (trimSuffix "\n" $v)) (printf "\n%s${1}" (repeat (int (index . 1)) " ")) -}}
{{- else -}}
{{- toJson $v -}}
{{- end -}}
{{- end -}}
