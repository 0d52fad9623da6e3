/**
 * Projects that belong to Google's own OAuth clients, not to any user. User credentials minted by
 * gcloud (and ADC from `gcloud auth application-default login` without a quota project) bill to
 * these, so "API has not been used in project N" naming one of them means the call had no quota
 * project of the user's: the fix is a quota project, not enabling an API in Google's project.
 */
export interface ClientProject {
  number: string;
  owner: string;
  /** Where Google or its clients name the number. */
  source: string;
}

export const CLIENT_PROJECTS: readonly ClientProject[] = [
  {
    number: '32555940559',
    owner: 'the Google Cloud SDK (gcloud) OAuth client',
    source: 'https://cloud.google.com/sdk/gcloud/reference/auth/print-access-token',
  },
  {
    number: '764086051850',
    owner: 'the Google Cloud SDK (gcloud) OAuth client used by application-default login',
    source: 'https://cloud.google.com/docs/authentication/troubleshoot-adc',
  },
];

export function clientProject(project: string | undefined): ClientProject | undefined {
  if (!project) return undefined;
  const p = project.trim();
  return CLIENT_PROJECTS.find((c) => c.number === p);
}
