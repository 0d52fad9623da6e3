output "url" {
  description = "Base URL of the service."
  value       = google_cloud_run_v2_service.image_service.uri
}

output "service_account" {
  description = "The service's identity; it holds roles/aiplatform.user in model_project_id."
  value       = google_service_account.image_service.email
}
