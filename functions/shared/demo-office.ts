/**
 * The demo office: the sender, recipients, name and collection account of the embedded default's seeded
 * province. The local stack runs on these; cdk.json carries the same values so `npx cdk synth` works out
 * of the box, and the CDK app refuses a deployment that overrides some of them but not all (a real sender
 * naming the demo bank account on an employer's notice: infra/stacks/dondoc-app.ts).
 */
export const DEMO_OFFICE = {
  senderEmail: 'thongbao@bhxh-demo.vn',
  adminEmails: ['quantri@bhxh-demo.vn'],
  evasionNoticeRecipients: ['laodong@lamdong-demo.gov.vn', 'thanhtra@lamdong-demo.gov.vn'],
  officeName: 'Bảo hiểm xã hội tỉnh Lâm Đồng',
  collectionAccountNumber: '3751.0.1058912.91049',
  collectionAccountName: 'Bảo hiểm xã hội tỉnh Lâm Đồng',
  collectionAccountBank: 'Kho bạc Nhà nước tỉnh Lâm Đồng',
} as const;
