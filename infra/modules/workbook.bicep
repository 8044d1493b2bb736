// Azure Monitor workbook over the gateway's telemetry: per route and per backend throughput,
// latency and error rate, rate-limit rejections, and backend health over time.
// The content is workbook.json (the portal's Advanced Editor format); its queries run against the
// Application Insights component, which is attached here as the workbook's data source.

@description('Display name; must be unique among the workbooks of the subscription.')
param displayName string

@description('Azure region.')
param location string

@description('Tags for the workbook.')
param tags object

@description('Application Insights component the workbook queries.')
param applicationInsightsName string

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // Workbook names must be GUIDs.
  name: guid(resourceGroup().id, 'functionsgateway-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: applicationInsights.id
    version: 'Notebook/1.0'
    serializedData: string(union(loadJsonContent('workbook.json'), {
      fallbackResourceIds: [
        applicationInsights.id
      ]
    }))
  }
}

output id string = workbook.id
