{{/* The chart's name, or nameOverride. */}}
{{- define "horde.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's base name for every object: fullnameOverride, else release-chart (once). */}}
{{- define "horde.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "horde.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{ include "horde.selectorLabels" . }}
{{- end -}}

{{- define "horde.selectorLabels" -}}
app.kubernetes.io/name: {{ include "horde.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The master's Service: the address workers connect to. */}}
{{- define "horde.masterService" -}}
{{- printf "%s-master" (include "horde.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "horde.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "horde.configMapName" -}}
{{- default (printf "%s-locustfile" (include "horde.fullname" .)) .Values.locustfile.existingConfigMap -}}
{{- end -}}

{{- define "horde.secretName" -}}
{{- default (printf "%s-auth" (include "horde.fullname" .)) .Values.auth.existingSecret -}}
{{- end -}}

{{/* A value of the chart's own Secret: the one given, else the one an earlier revision stored
(so an upgrade keeps it), else a new random one. Arguments: (list $ value key). */}}
{{- define "horde.secretValue" -}}
{{- $root := index . 0 -}}
{{- $given := index . 1 -}}
{{- $key := index . 2 -}}
{{- if $given -}}
{{- $given | b64enc -}}
{{- else -}}
{{- $existing := lookup "v1" "Secret" $root.Release.Namespace (include "horde.secretName" $root) -}}
{{- if and $existing (hasKey $existing.data $key) -}}
{{- index $existing.data $key -}}
{{- else -}}
{{- randAlphaNum 32 | b64enc -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The locustfile volume, the secret's environment and the container settings master and
workers share. */}}
{{- define "horde.podCommon" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
{{- with .Values.podSecurityContext }}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumes:
  - name: locustfile
    configMap:
      name: {{ include "horde.configMapName" . }}
{{- end -}}

{{- define "horde.containerCommon" -}}
image: {{ include "horde.image" . | quote }}
imagePullPolicy: {{ .Values.image.pullPolicy }}
{{- with .Values.securityContext }}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumeMounts:
  - name: locustfile
    mountPath: /mnt/locust
    readOnly: true
{{- end -}}

{{- define "horde.masterSecretEnv" -}}
- name: HORDE_MASTER_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "horde.secretName" . }}
      key: {{ .Values.auth.masterSecretKey }}
{{- end -}}

{{- define "horde.locustfileArgs" -}}
- --locustfile
- {{ printf "/mnt/locust/%s" .Values.locustfile.fileName | quote }}
{{- end -}}
