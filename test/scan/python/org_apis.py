# Google's discovery-based Python client (google-api-python-client, its bundled discovery documents)
# calling the sandbox's organization-wide APIs: paths, parameter names and paging must be the ones
# Google documents, or the client refuses to build the request or the sandbox answers 404.
import json, os, sys
from googleapiclient.discovery import build
import google.auth
creds, _ = google.auth.load_credentials_from_file(os.environ['GOOGLE_APPLICATION_CREDENTIALS'], scopes=['https://www.googleapis.com/auth/cloud-platform'])
ep = os.environ['GENAI_DOCTOR_ENDPOINT']
org = 'organizations/' + sys.argv[1]
out = {}
asset = build('cloudasset', 'v1', credentials=creds, static_discovery=True, client_options={'api_endpoint': ep})
req = asset.v1().searchAllResources(scope=org, assetTypes=['run.googleapis.com/Service'], readMask='*', pageSize=20)
n = 0; pages = 0
while req is not None:
    res = req.execute(); pages += 1
    n += len(res.get('results', []))
    req = asset.v1().searchAllResources_next(req, res)
out['runServices'] = n; out['pages'] = pages
hosted = {}
types = ['cloudfunctions.googleapis.com/CloudFunction', 'cloudfunctions.googleapis.com/Function', 'aiplatform.googleapis.com/ReasoningEngine', 'aiplatform.googleapis.com/Endpoint', 'container.googleapis.com/Cluster', 'compute.googleapis.com/Instance']
req = asset.v1().searchAllResources(scope=org, assetTypes=types, readMask='name,assetType,versionedResources', pageSize=500)
while req is not None:
    res = req.execute()
    for r in res.get('results', []):
        hosted[r['assetType']] = hosted.get(r['assetType'], 0) + 1
    req = asset.v1().searchAllResources_next(req, res)
out['hosted'] = hosted
res = asset.v1().searchAllIamPolicies(scope=org, assetTypes=['cloudresourcemanager.googleapis.com/Project'], pageSize=500).execute()
out['policies'] = len(res.get('results', []))
res = asset.v1().analyzeIamPolicy(scope=org, analysisQuery_accessSelector_permissions=['aiplatform.endpoints.predict'], analysisQuery_options_expandResources=True).execute()
out['analysisResults'] = len(res['mainAnalysis']['analysisResults'])
su = build('serviceusage', 'v1', credentials=creds, static_discovery=True, client_options={'api_endpoint': ep})
res = su.services().batchGet(parent='projects/fleet-0001', names=['projects/fleet-0001/services/aiplatform.googleapis.com']).execute()
out['batchGet'] = res['services'][0]['state']
ak = build('apikeys', 'v2', credentials=creds, static_discovery=True, client_options={'api_endpoint': ep})
res = ak.projects().locations().keys().list(parent='projects/fleet-0002/locations/global').execute()
out['keys'] = len(res.get('keys', []))
cb = build('cloudbilling', 'v1', credentials=creds, static_discovery=True, client_options={'api_endpoint': ep})
res = cb.billingAccounts().list().execute()
acct = res['billingAccounts'][0]['name']
res = cb.billingAccounts().projects().list(name=acct, pageSize=200).execute()
out['billingProjects'] = len(res.get('projectBillingInfo', []))
op = asset.v1().analyzeIamPolicyLongrunning(scope=org, body={'analysisQuery': {'scope': org, 'accessSelector': {'permissions': ['aiplatform.endpoints.predict']}}, 'outputConfig': {'gcsDestination': {'uri': 'gs://genai-doctor-scan-results/py.json'}}}).execute()
import time; time.sleep(0.5)
res = asset.operations().get(name=op['name']).execute()
out['lroDone'] = res.get('done', False)
print(json.dumps(out))
