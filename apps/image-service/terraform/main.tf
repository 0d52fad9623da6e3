# The reference image service on Cloud Run, with the seed runbook's best practice built in:
# a dedicated service account (never the default compute account) holding roles/aiplatform.user
# (least privilege for calling Gemini; never aiplatform.admin or a primitive role) in the project
# the service CALLS, and the Vertex AI API enabled there.

locals {
  model_project = coalesce(var.model_project_id, var.project_id)
}

resource "google_project_service" "run" {
  project            = var.project_id
  service            = "run.googleapis.com"
  disable_on_destroy = false
}

resource "google_project_service" "aiplatform" {
  project            = local.model_project
  service            = "aiplatform.googleapis.com"
  disable_on_destroy = false
}

resource "google_service_account" "image_service" {
  project      = var.project_id
  account_id   = "genai-image-service"
  display_name = "genai-doctor reference image service"
  description  = "Runs the image service on Cloud Run; may call Vertex AI models and nothing else."
}

resource "google_project_iam_member" "image_service_vertex_user" {
  project = local.model_project
  role    = "roles/aiplatform.user"
  member  = "serviceAccount:${google_service_account.image_service.email}"
}

resource "google_cloud_run_v2_service" "image_service" {
  project             = var.project_id
  name                = var.service_name
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_ALL"
  deletion_protection = false

  template {
    service_account                  = google_service_account.image_service.email
    timeout                          = "120s"
    max_instance_request_concurrency = 20

    scaling {
      max_instance_count = var.max_instances
    }

    containers {
      image = var.image

      ports {
        container_port = 8080
      }

      resources {
        limits = {
          cpu    = "1"
          memory = "512Mi"
        }
      }

      env {
        name  = "GOOGLE_CLOUD_PROJECT"
        value = local.model_project
      }
      env {
        name  = "GOOGLE_CLOUD_LOCATION"
        value = var.model_location
      }
      env {
        name  = "IMAGE_MODEL"
        value = var.model
      }
      env {
        name  = "IMAGE_SERVICE_BACKEND"
        value = "google"
      }
      env {
        name  = "DD_SERVICE"
        value = var.service_name
      }
      env {
        name  = "DD_ENV"
        value = var.dd_env
      }
      env {
        name  = "DD_VERSION"
        value = var.dd_version
      }
      env {
        name  = "DD_LOGS_INJECTION"
        value = "true"
      }

      # Liveness only: /readyz reports access problems, and a failing access check must not
      # restart the container (it would not fix IAM) - alert on it instead.
      startup_probe {
        http_get {
          path = "/healthz"
        }
        period_seconds    = 2
        failure_threshold = 15
      }
      liveness_probe {
        http_get {
          path = "/healthz"
        }
        period_seconds = 30
      }
    }
  }

  depends_on = [
    google_project_service.run,
    google_project_service.aiplatform,
    google_project_iam_member.image_service_vertex_user,
  ]
}

resource "google_cloud_run_v2_service_iam_member" "public" {
  count    = var.allow_unauthenticated ? 1 : 0
  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_service.image_service.name
  role     = "roles/run.invoker"
  member   = "allUsers"
}
