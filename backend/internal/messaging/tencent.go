package messaging

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
)

// TencentOptions configures the Tencent Cloud SMS provider (sms.tencent.*).
type TencentOptions struct {
	SecretID  string
	SecretKey string
	SDKAppID  string
	SignName  string
	Region    string
	// Endpoint is the API host (sms.tencentcloudapi.com), or an http(s)://
	// URL whose scheme is used too (a local test server).
	Endpoint string
	// Timeout of one call (default 10s).
	Timeout time.Duration
}

// Tencent sends SMS with Tencent Cloud SMS (API 2021-01-11, action
// SendSms) through the official Go SDK's common client, which signs every
// request with TC3-HMAC-SHA256.
type Tencent struct {
	o      TencentOptions
	client *common.Client
}

var _ Provider = (*Tencent)(nil)

// NewTencent returns the provider.
func NewTencent(o TencentOptions) *Tencent {
	cpf := profile.NewClientProfile()
	cpf.HttpProfile.ReqMethod = "POST"
	endpoint := strings.TrimSpace(o.Endpoint)
	if u, err := url.Parse(endpoint); err == nil && u.Host != "" && (u.Scheme == "http" || u.Scheme == "https") {
		cpf.HttpProfile.Scheme = strings.ToUpper(u.Scheme)
		endpoint = u.Host
	}
	cpf.HttpProfile.Endpoint = endpoint
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	cpf.HttpProfile.ReqTimeout = int(o.Timeout / time.Second)
	region := o.Region
	if region == "" {
		region = "ap-guangzhou"
	}
	c := common.NewCommonClient(common.NewCredential(o.SecretID, o.SecretKey), region, cpf)
	return &Tencent{o: o, client: c}
}

// ProviderTencent is the provider name stored on messages Tencent sent
// (their provider_ref is its SerialNo; delivery reports look them up by it).
const ProviderTencent = "tencent"

// Name is ProviderTencent.
func (*Tencent) Name() string { return ProviderTencent }

// LogOnly is false: messages leave the server.
func (*Tencent) LogOnly() bool { return false }

// sendStatus is one entry of SendSms's SendStatusSet.
type sendStatus struct {
	SerialNo       string
	PhoneNumber    string
	Fee            int
	SessionContext string
	Code           string
	Message        string
	IsoCode        string
}

// Send calls SendSms for one number. A refusal (an API error other than an
// internal or rate error, or a status Code other than "Ok") is a
// *ProviderError; network and server trouble are plain errors (retried).
func (t *Tencent) Send(ctx context.Context, m SMS) (Receipt, error) {
	req := tchttp.NewCommonRequest("sms", "2021-01-11", "SendSms")
	params := m.Params
	if params == nil {
		params = []string{}
	}
	if err := req.SetActionParameters(map[string]any{
		"PhoneNumberSet":   []string{E164(m.Phone)},
		"SmsSdkAppId":      t.o.SDKAppID,
		"SignName":         t.o.SignName,
		"TemplateId":       m.TemplateID,
		"TemplateParamSet": params,
		"SessionContext":   m.Session,
	}); err != nil {
		return Receipt{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, t.o.Timeout)
	defer cancel()
	req.SetContext(ctx)
	res := tchttp.NewCommonResponse()
	if err := t.client.Send(req, res); err != nil {
		var se *tcerr.TencentCloudSDKError
		if errors.As(err, &se) && !transientCode(se.GetCode()) {
			return Receipt{}, &ProviderError{Code: se.GetCode(), Message: se.GetMessage()}
		}
		return Receipt{}, fmt.Errorf("tencent sms: %w", err)
	}
	var body struct {
		Response struct {
			SendStatusSet []sendStatus
			RequestId     string
		}
	}
	if err := json.Unmarshal(res.GetBody(), &body); err != nil {
		return Receipt{}, fmt.Errorf("tencent sms: decode answer: %w", err)
	}
	if len(body.Response.SendStatusSet) != 1 {
		return Receipt{}, fmt.Errorf("tencent sms: %d send statuses for one number (request %s)", len(body.Response.SendStatusSet), body.Response.RequestId)
	}
	st := body.Response.SendStatusSet[0]
	if st.Code != "Ok" {
		return Receipt{}, &ProviderError{Code: st.Code, Message: st.Message}
	}
	return Receipt{Ref: st.SerialNo}, nil
}

// transientCode reports whether a Tencent Cloud error code is worth a
// retry: the SDK's own network and HTTP errors (a proxy's HTML error page
// is a ParseJsonError), internal errors and the API's request-rate limit.
func transientCode(code string) bool {
	return strings.HasPrefix(code, "ClientError.NetworkError") || strings.HasPrefix(code, "ClientError.HttpStatusCodeError") ||
		strings.HasPrefix(code, "ClientError.IOError") || strings.HasPrefix(code, "ClientError.ParseJsonError") ||
		strings.HasPrefix(code, "InternalError") ||
		code == "RequestLimitExceeded"
}

// E164 turns a mainland mobile number (13812345678) into +8613812345678;
// a number that already has a + is kept.
func E164(phone string) string {
	if strings.HasPrefix(phone, "+") {
		return phone
	}
	return "+86" + strings.TrimPrefix(phone, "86")
}
