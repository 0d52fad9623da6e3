variable "project_id" {
  description = "Project the Cloud Run service runs in."
  type        = string
}

variable "model_project_id" {
  description = "Project whose Vertex AI the service CALLS (quota, billing, IAM). Defaults to project_id. The service account gets roles/aiplatform.user here, not only where it runs: the seed incident failed because these two differed."
  type        = string
  default     = null
}

variable "region" {
  description = "Cloud Run region."
  type        = string
  default     = "us-central1"
}

variable "service_name" {
  description = "Cloud Run service name (also DD_SERVICE)."
  type        = string
  default     = "genai-image-service"
}

variable "image" {
  description = "Container image built from apps/image-service/Dockerfile, e.g. us-central1-docker.pkg.dev/PROJECT/REPO/genai-image-service:TAG."
  type        = string
}

variable "model" {
  description = "Gemini image model."
  type        = string
  default     = "gemini-3-pro-image-preview"
}

variable "model_location" {
  description = "Vertex AI location of the model; Gemini 3 Pro Image is served at global."
  type        = string
  default     = "global"
}

variable "dd_env" {
  description = "Datadog environment tag (DD_ENV)."
  type        = string
  default     = "prod"
}

variable "dd_version" {
  description = "Datadog version tag (DD_VERSION); usually the image tag."
  type        = string
  default     = "0.1.0"
}

variable "max_instances" {
  description = "Upper bound on instances (each image call is slow and billed)."
  type        = number
  default     = 5
}

variable "allow_unauthenticated" {
  description = "Let anyone invoke the service (roles/run.invoker for allUsers)."
  type        = bool
  default     = false
}
